migrate_runtime::embed_migrations!("tests/ui/replay/unknown_table_is_rejected/migrations");

fn main() {}
