//! The `novacron-db` binary, run as a user runs it: one test binary for every
//! command-line test, so the workspace links one executable, not eleven.

mod common;

mod app;
mod backup;
mod basics;
mod concurrency;
mod files;
mod golang_migrate;
mod inspect;
mod kill;
mod password;
mod progress;
mod seeds;
mod takeover;
mod tls;
mod words;
