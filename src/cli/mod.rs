//! Command-line front end: one module per subcommand, each parsing its flags into settings
//! (flag > environment > documented default, resolved once) and calling into the library.

use std::process::ExitCode;

pub mod common;
pub mod health;
pub mod help;
pub mod mcp;
pub mod query;
pub mod run;
pub mod send;

/// Top-level help, printed for `kubeglass --help` and on an unknown subcommand.
pub const HELP: &str = "\
kubeglass — a read-only, outbound-only Kubernetes agent for remote AI investigators

Usage:
  kubeglass query [OPTIONS] -- ARGS…   run one read command locally (kubectl-style ARGS)
  kubeglass run [OPTIONS]              the agent: take commands from SQS (or --stdio)
  kubeglass send [OPTIONS] -- ARGS…    the backend's side: send one command, print the result
  kubeglass mcp [OPTIONS]              the read operations as MCP tools on stdio (AI tools)
  kubeglass health [--max-age 90s]     exit 0 if the agent's health file is fresh
  kubeglass version                    print the version (`--version` on any subcommand too)
  kubeglass help OPERATION             one operation's forms and flags (`help get`, `help logs`)
  kubeglass completion bash|zsh|fish   shell completion: subcommands, operations, flags, types

Run `kubeglass <subcommand> --help` for its options, `kubeglass query -- get --help` for an
operation's. Logs go to stderr (RUST_LOG=info|debug).
";

/// Dispatch on the first argument; every subcommand returns its own exit code.
pub fn main(mut args: Vec<std::ffi::OsString>) -> ExitCode {
    let sub = if args.is_empty() {
        None
    } else {
        Some(args.remove(0))
    };
    // `--version` on every subcommand (before a `--`, which starts a command's own words).
    let own = args.iter().take_while(|a| *a != "--");
    if sub.is_some() && own.clone().any(|a| a == "--version") {
        println!("kubeglass {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    match sub.as_ref().and_then(|s| s.to_str()) {
        Some("help") if !args.is_empty() => {
            let words: Vec<String> = args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            match help::for_words(&words) {
                Some(h) => {
                    print!("{h}");
                    ExitCode::SUCCESS
                }
                None => {
                    eprint!(
                        "error: no operation {:?}; the operations:\n{}",
                        words.join(" "),
                        help::ops_list()
                    );
                    ExitCode::from(2)
                }
            }
        }
        Some("completion") => {
            let shell = args.first().and_then(|a| a.to_str()).unwrap_or("");
            match help::completion(shell) {
                Ok(script) => {
                    print!("{script}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    common::print_error(&e);
                    ExitCode::from(2)
                }
            }
        }
        Some("version" | "--version" | "-V") => {
            println!("kubeglass {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("query") => {
            init_logging();
            query::main(args)
        }
        Some("run") => run::main(args),
        Some("mcp") => mcp::main(args),
        Some("send") => send::main(args),
        Some("health") => health::main(args),
        Some("help" | "--help" | "-h") => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        other => {
            eprint!(
                "error: unknown subcommand {:?}\n\n{HELP}",
                other.unwrap_or("(none)")
            );
            ExitCode::from(2)
        }
    }
}

/// Logs go to stderr, `RUST_LOG` decides (default: warnings only, so `query` output is clean).
pub fn init_logging() {
    init_logging_as("warn", false);
}

/// Dependency log targets held at `warn` whatever `RUST_LOG` says: at debug and trace they
/// write request and response bytes and headers (ureq-proto hex-dumps the wire: bearer
/// tokens, pod env values, unredacted log lines), TLS internals or signing input, and logs
/// ship off the node. Prefixes: `ureq` also covers `ureq_proto`, `rustls` covers
/// `rustls_native_certs` and `rustls_pki_types`, `aws_smithy` every smithy crate.
pub const CAPPED_TARGETS: &[&str] = &[
    "ureq",
    "ureq_proto",
    "rustls",
    "webpki",
    "aws_sigv4",
    "aws_smithy",
    "aws_credential_types",
    "tracing",
    "tiny_http",
];

/// The most a [`CAPPED_TARGETS`] target may log.
pub const CAPPED_LEVEL: log::LevelFilter = log::LevelFilter::Warn;

/// env_logger with [`CAPPED_TARGETS`] held at [`CAPPED_LEVEL`]. A wrapper rather than a
/// `filter_module` directive: env_logger lets the longest matching directive win, so
/// `RUST_LOG=ureq::unversioned=trace` would outrank a `ureq=warn` cap, and a cap directive
/// would also *raise* `ureq` when `RUST_LOG=error`.
pub struct CappedLogger {
    inner: env_logger::Logger,
}

impl CappedLogger {
    /// The level the `log` macros must let through (the capped targets are filtered here).
    pub fn max_level(&self) -> log::LevelFilter {
        self.inner.filter()
    }
}

/// Whether `target` is one of the capped dependencies.
fn is_capped(target: &str) -> bool {
    CAPPED_TARGETS.iter().any(|t| target.starts_with(t))
}

impl log::Log for CappedLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        if metadata.level() > CAPPED_LEVEL && is_capped(metadata.target()) {
            return false;
        }
        self.inner.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            self.inner.log(record);
        }
    }

    fn flush(&self) {
        self.inner.flush();
    }
}

/// Logs at `default` level unless `RUST_LOG` says otherwise; one JSON object per line with
/// `json` (for log pipelines), else env_logger's text.
pub fn init_logging_as(default: &str, json: bool) {
    let spec = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| default.to_string());
    let logger = logger(&spec, json, env_logger::Target::Stderr);
    let max = logger.max_level();
    // A second init (tests calling twice) is harmless: the first logger stays.
    if log::set_boxed_logger(Box::new(logger)).is_ok() {
        log::set_max_level(max);
    }
}

/// The logger for `spec` (`RUST_LOG` syntax: `debug`, `kubeglass=trace,ureq=debug`), writing
/// to `target`; the spec cannot open [`CAPPED_TARGETS`] beyond [`CAPPED_LEVEL`].
pub fn logger(spec: &str, json: bool, target: env_logger::Target) -> CappedLogger {
    let mut b = env_logger::Builder::new();
    b.parse_filters(spec).target(target);
    if json {
        b.format(|buf, record| {
            use std::io::Write;
            let line = serde_json::json!({
                "ts": crate::timefmt::format_rfc3339(std::time::SystemTime::now()),
                "level": record.level().as_str(),
                "target": record.target(),
                "msg": record.args().to_string(),
            });
            writeln!(buf, "{line}")
        });
    } else {
        // env_logger's layout with an RFC 3339 UTC timestamp (its own needs a feature and
        // a crate we do not take).
        b.format(|buf, record| {
            use std::io::Write;
            writeln!(
                buf,
                "[{} {:<5} {}] {}",
                crate::timefmt::format_rfc3339(std::time::SystemTime::now()),
                record.level(),
                record.target(),
                record.args()
            )
        });
    }
    CappedLogger { inner: b.build() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use log::{Level, Log};
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    fn enabled(l: &CappedLogger, target: &str, level: Level) -> bool {
        l.enabled(&log::Metadata::builder().target(target).level(level).build())
    }

    /// A `Write` whose bytes the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn text_log_lines_start_with_an_rfc3339_utc_timestamp() {
        let out = Shared::default();
        let l = logger(
            "info",
            false,
            env_logger::Target::Pipe(Box::new(out.clone())),
        );
        l.log(
            &log::Record::builder()
                .args(format_args!("hello"))
                .level(Level::Info)
                .target("kubeglass::agent")
                .build(),
        );
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        let ts = text.trim_start_matches('[').split(' ').next().unwrap_or("");
        assert!(
            crate::timefmt::parse_rfc3339(ts).is_some() && ts.ends_with('Z'),
            "{text}"
        );
        assert!(text.ends_with("INFO  kubeglass::agent] hello\n"), "{text}");
    }

    #[test]
    fn no_log_level_opens_the_http_tls_and_signing_crates() {
        let wire_targets = [
            "ureq::unversioned::transport",
            "ureq::run",
            "ureq_proto::util",
            "rustls::client::hs",
            "aws_sigv4::http_request::sign",
        ];
        for spec in [
            "trace",
            "debug",
            "ureq=trace",
            "ureq::unversioned::transport=trace",
            "ureq_proto=trace,rustls=trace,aws_sigv4=trace",
            "error,ureq::unversioned=debug,ureq_proto::util=trace",
            "trace,ureq=trace",
        ] {
            let l = logger(spec, false, env_logger::Target::Stderr);
            for target in wire_targets {
                for level in [Level::Info, Level::Debug, Level::Trace] {
                    assert!(
                        !enabled(&l, target, level),
                        "RUST_LOG={spec} opened {target} at {level}"
                    );
                }
            }
        }
        // Warnings still come through, and the spec still governs everything else.
        let l = logger("trace", false, env_logger::Target::Stderr);
        assert!(enabled(&l, "ureq::run", Level::Warn));
        assert!(enabled(&l, "kubeglass::kube::transport", Level::Trace));
        let l = logger("warn", false, env_logger::Target::Stderr);
        assert!(!enabled(&l, "kubeglass::kube::transport", Level::Debug));
        let l = logger("error", false, env_logger::Target::Stderr);
        assert!(
            !enabled(&l, "ureq::run", Level::Warn),
            "the cap never raises a level"
        );
    }

    #[test]
    fn a_trace_record_of_the_wire_is_not_written_at_rust_log_trace() {
        for json in [false, true] {
            let out = Shared::default();
            let l = logger(
                "trace",
                json,
                env_logger::Target::Pipe(Box::new(out.clone())),
            );
            for (target, level, msg) in [
                (
                    "ureq_proto::util",
                    Level::Trace,
                    "Authorization: Bearer SECRET-TOKEN",
                ),
                (
                    "ureq::unversioned::transport",
                    Level::Debug,
                    "SECRET-ENV-VALUE",
                ),
                ("rustls::conn", Level::Trace, "SECRET-TLS"),
                (
                    "kubeglass::kube::transport",
                    Level::Trace,
                    "GET /api/v1/pods",
                ),
            ] {
                l.log(
                    &log::Record::builder()
                        .target(target)
                        .level(level)
                        .args(format_args!("{msg}"))
                        .build(),
                );
            }
            l.flush();
            let written = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
            assert!(written.contains("GET /api/v1/pods"), "{written}");
            assert!(!written.contains("SECRET"), "{written}");
        }
    }
}
