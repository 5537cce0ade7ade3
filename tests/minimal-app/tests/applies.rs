//! The minimal app applies its migrations and inserts a row through the
//! generated types, against PostgreSQL.

#[test]
fn the_minimal_app_applies_its_migrations_and_inserts_a_note() {
    test_support::apps::run_app(env!("CARGO_BIN_EXE_minimal-app"));
}
