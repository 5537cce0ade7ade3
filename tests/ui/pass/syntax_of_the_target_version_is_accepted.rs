// NULLS NOT DISTINCT needs PostgreSQL 15: saying so makes it valid.
migrate_runtime::embed_migrations!(
    "tests/ui/replay/syntax_newer_than_the_target_is_rejected/migrations",
    postgres = "15",
);

fn main() {
    assert_eq!(MIGRATIONS.len(), 1);
}
