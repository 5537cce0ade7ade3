migrate_runtime::embed_migrations!("tests/ui/replay/unknown_column_is_rejected/migrations");

fn main() {}
