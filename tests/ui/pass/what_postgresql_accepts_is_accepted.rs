// Every class of statement the fidelity issue lists, as PostgreSQL accepts it
// (PostgreSQL ran these ups and downs; tests/corpus.rs holds the model to a real
// server on real projects).
migrate_runtime::embed_migrations!("tests/ui/pass/what_postgresql_accepts_is_accepted/migrations");

fn main() {
    assert_eq!(MIGRATIONS.len(), 5);
    // per_host's columns are derived from its query, so it gets types too.
    assert_eq!(schema::per_host::TABLE, "per_host");
    assert_eq!(schema::hosts::TABLE, "hosts");
}
