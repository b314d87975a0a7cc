//! Command-line front end: one module per subcommand, each parsing its flags into settings
//! (flag > environment > documented default, resolved once) and calling into the library.

use std::process::ExitCode;

pub mod common;
pub mod health;
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
  kubeglass health [--max-age 90s]     exit 0 if the agent's health file is fresh
  kubeglass version                    print the version

Run `kubeglass <subcommand> --help` for its options. Logs go to stderr (RUST_LOG=info|debug).
";

/// Dispatch on the first argument; every subcommand returns its own exit code.
pub fn main(mut args: Vec<std::ffi::OsString>) -> ExitCode {
    let sub = if args.is_empty() {
        None
    } else {
        Some(args.remove(0))
    };
    match sub.as_ref().and_then(|s| s.to_str()) {
        Some("version" | "--version" | "-V") => {
            println!("kubeglass {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("query") => {
            init_logging();
            query::main(args)
        }
        Some("run") => run::main(args),
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

/// Logs at `default` level unless `RUST_LOG` says otherwise; one JSON object per line with
/// `json` (for log pipelines), else env_logger's text.
pub fn init_logging_as(default: &str, json: bool) {
    let env = env_logger::Env::default().default_filter_or(default);
    let mut b = env_logger::Builder::from_env(env);
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
    }
    // A second init (tests calling twice) is harmless.
    let _ = b.try_init();
}
