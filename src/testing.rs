//! What the integration tests in `tests/` reach inside the crate, and nothing more: the
//! modules themselves are crate-private, so code outside the crate cannot walk around the
//! choke points they keep (the transport, the `Redacted` fence). Not an API.
//!
//! ```
//! // What the tests use is reachable…
//! use kubeglass::testing::kube::{MAX_API_BODY_BYTES, Settings};
//! # let _ = (MAX_API_BODY_BYTES, Settings::default());
//! ```
//!
//! ```compile_fail
//! // …and the client that sends requests is not, neither directly…
//! use kubeglass::kube::Client;
//! ```
//!
//! ```compile_fail
//! // …nor through this module.
//! use kubeglass::testing::kube::Client;
//! ```

/// The agent loop and its queue seam.
pub mod agent {
    pub use crate::agent::{Queue, Settings, run};
}

/// AWS credentials, for the SQS test client.
pub mod aws {
    pub use crate::aws::{Credentials, Provider};
}

/// Command parsing and validation.
pub mod command {
    pub use crate::command::{Command, parse_args, parse_json, parse_line};

    /// The `--grep` compiler and its limits.
    pub mod grep {
        pub use crate::command::grep::compile;
    }
}

/// The crate's result type.
pub mod error {
    pub use crate::error::Result;
}

/// Kubernetes client settings and limits.
pub mod kube {
    pub use crate::kube::{MAX_API_BODY_BYTES, Settings};
}

/// The engine and the executor the agent runs commands with.
pub mod ops {
    pub use crate::ops::{Engine, Executor};
}

/// The RBAC rules the code's reads need (the chart is checked against them).
pub mod reads {
    pub use crate::ops::reads::{CLUSTER, NAMESPACED, Rule, SECRETS};
}

/// Answers, formats, the budget and output escaping.
pub mod output {
    pub use crate::output::{Format, Output, printable};

    /// The answer budget.
    pub mod budget {
        pub use crate::output::budget::Budget;
    }
}

/// The wire protocol.
pub mod protocol {
    pub use crate::protocol::{AgentInfo, Assembly, Result1, join_parts, parse, result_messages};
}

/// The redactor's entry points.
pub mod redact {
    pub use crate::redact::{
        LAST_APPLIED, LogRedactor, REDACTED, RedactSettings, Redacted, Source, fetched, message,
        text,
    };
}

/// Container log lines as the logs op reads them (redacted in order, with look-ahead).
pub mod logs {
    pub use crate::ops::engine::LogLines;
}

/// Namespace scope.
pub mod scope {
    pub use crate::scope::Scope;
}

/// The flight recorder.
pub mod recorder {
    pub use crate::recorder::Recorder;
    pub use crate::recorder::ring::{Kind, Record};
}

/// The SQS client.
pub mod sqs {
    pub use crate::sqs::{Message, Sqs, SqsError};
}
