//! The async app does the same as the minimal app inside `#[tokio::main]`,
//! through tokio-postgres.

#[test]
fn the_async_app_applies_its_migrations_and_inserts_a_note() {
    test_support::apps::run_app(env!("CARGO_BIN_EXE_minimal-async-app"));
}
