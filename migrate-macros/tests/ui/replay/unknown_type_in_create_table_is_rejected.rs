migrate_runtime::embed_migrations!("tests/ui/replay/unknown_type_in_create_table_is_rejected/migrations");

fn main() {}
