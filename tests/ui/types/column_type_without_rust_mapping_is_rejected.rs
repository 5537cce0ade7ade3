migrate_runtime::embed_migrations!("tests/ui/types/column_type_without_rust_mapping_is_rejected/migrations");

fn main() {}
