migrate_runtime::embed_migrations!("tests/ui/replay/query_reading_a_missing_table_is_rejected/migrations");

fn main() {}
