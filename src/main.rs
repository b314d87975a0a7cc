//! The `kubeglass` binary: parse arguments, build settings, call one function per subcommand.
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::SUCCESS
}
