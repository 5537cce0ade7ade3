//! golang-migrate's command line (placeholder).
use std::ffi::OsString;
use std::process::ExitCode;

use super::App;

pub(super) fn invoked_as_migrate(_argv0: Option<&OsString>) -> bool {
    false
}

pub(super) fn run(_app: App, _args: &[OsString]) -> ExitCode {
    ExitCode::from(2)
}
