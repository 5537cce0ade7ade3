//! What `embed_migrations!` rejects: each case under `tests/ui/<rule>/` is a tiny
//! program with its own `migrations/` fixture and the compiler's output as a
//! `.stderr` snapshot, so the text of every error is part of the contract. What
//! it accepts is tested in `tests/macro_accepts.rs`, as ordinary tests that share
//! the workspace's build.
//!
//! Bless after a deliberate change with `TRYBUILD=overwrite cargo test -p pgcheck-macros --test ui`
//! and read the diff of every snapshot.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*_is_rejected.rs");
}
