//! The `kubeglass` binary: everything past the program name goes to [`kubeglass::main`].
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    kubeglass::main(std::env::args_os().skip(1).collect())
}
