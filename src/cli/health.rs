//! `kubeglass health`: the liveness probe without a port or a shell — exit 0 when the
//! agent's health file was touched recently; otherwise the message names the cause the
//! agent recorded (a queue refusing it, SQS unreachable), or says the loop is stuck.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use super::common;
use crate::command::parse_duration_seconds;
use crate::error::Error;

/// Run `kubeglass health [--max-age 90s] [--health-file PATH]`.
pub fn main(args: Vec<OsString>) -> ExitCode {
    let mut pargs = pico_args::Arguments::from_vec(args);
    if pargs.contains(["-h", "--help"]) {
        println!(
            "kubeglass health [--max-age 90s] [--health-file {}]\nexit 0 if the agent touched its health file within --max-age; else exit 1 naming the\ncause the agent recorded (a queue refusing it, SQS unreachable), or a stuck loop",
            super::run::DEFAULT_HEALTH_FILE
        );
        return ExitCode::SUCCESS;
    }
    let max_age = match pargs.opt_value_from_str::<_, String>("--max-age") {
        Ok(Some(v)) => match parse_duration_seconds(&v) {
            Ok(s) => Duration::from_secs(s.max(1) as u64),
            Err(_) => {
                return fail(
                    Error::config(format!("--max-age takes a duration, got {v:?}")),
                    2,
                );
            }
        },
        Ok(None) => Duration::from_secs(90),
        Err(e) => return fail(common::usage(e), 2),
    };
    let file: PathBuf = match pargs.opt_value_from_str("--health-file") {
        Ok(f) => f.unwrap_or_else(|| PathBuf::from(super::run::DEFAULT_HEALTH_FILE)),
        Err(e) => return fail(common::usage(e), 2),
    };
    match crate::agent::health::read(&file, SystemTime::now()) {
        Ok((age, _)) if age <= max_age => ExitCode::SUCCESS,
        // The agent said why it cannot work: a queue refuses it, or SQS is unreachable.
        Ok((age, Some(cause))) => fail(
            Error::config(format!(
                "{} is {} s old (more than {} s): {cause}",
                file.display(),
                age.as_secs(),
                max_age.as_secs()
            )),
            1,
        ),
        // No cause recorded: the loop stopped turning without an error it could report.
        Ok((age, None)) => fail(
            Error::config(format!(
                "{} is {} s old (more than {} s): the agent loop is stuck (no poll finished, \
                 no error recorded)",
                file.display(),
                age.as_secs(),
                max_age.as_secs()
            )),
            1,
        ),
        Err(e) => fail(
            Error::config(format!("{}: {e} (is the agent running?)", file.display())),
            1,
        ),
    }
}

fn fail(e: Error, code: u8) -> ExitCode {
    common::print_error(&e);
    ExitCode::from(code)
}
