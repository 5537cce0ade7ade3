migrate_runtime::embed_migrations!("tests/ui/replay/dropping_a_referenced_table_without_cascade_is_rejected/migrations");

fn main() {}
