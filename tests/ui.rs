//! Compile-time checks of `embed_migrations!`: each case under `tests/ui/<rule>/`
//! is a tiny program with its own `migrations/` fixture and, for the rejected
//! ones, the compiler's output as a `.stderr` snapshot.
//!
//! Bless after a deliberate change with `TRYBUILD=overwrite cargo test --test ui`
//! and read the diff of every snapshot.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*_is_rejected.rs");
    t.pass("tests/ui/pass/*.rs");
}
