//! What `embed_migrations!` rejects: each case under `tests/ui/<rule>/` is a tiny
//! program with its own `migrations/` fixture and the compiler's output as a
//! `.stderr` snapshot, so the text of every error is part of the contract. What
//! it accepts is tested in `tests/macro_accepts.rs`, as ordinary tests that share
//! the workspace's build.
//!
//! Bless after a deliberate change with `TRYBUILD=overwrite cargo test -p pgcheck-macros --test ui`
//! and read the diff of every snapshot.

/// The rustflags trybuild gives the cases' build (1.0.122's `rustflags.rs`
/// and `cargo.rs`), joined by the 0x1f of `CARGO_ENCODED_RUSTFLAGS`.
const CASE_RUSTFLAGS: &str =
    "--cfg\x1ftrybuild\x1f--verbose\x1f-A\x1fdead_code\x1f--diagnostic-width=140";

#[test]
fn ui() {
    // trybuild first builds the cases' dependencies with its rustflags, then
    // the cases with one more (`--diagnostic-width=140`); cargo fingerprints
    // rustflags, so every dependency of the target (pg_query's C library
    // among them) was built twice: ~40 s of a cold run's ~90 s on 2 cores.
    // CARGO_ENCODED_RUSTFLAGS, which cargo takes before any rustflags in its
    // configuration (trybuild's `--config` included) and which trybuild
    // leaves in the environment, gives both builds the cases' flags.
    let flags = match std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        Ok(own) if !own.is_empty() => format!("{own}\x1f{CASE_RUSTFLAGS}"),
        _ => CASE_RUSTFLAGS.to_owned(),
    };
    // SAFETY: the only test of this binary, and no other thread of it reads
    // the environment.
    unsafe { std::env::set_var("CARGO_ENCODED_RUSTFLAGS", flags) };
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*_is_rejected.rs");
}
