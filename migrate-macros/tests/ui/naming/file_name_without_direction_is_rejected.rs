migrate_runtime::embed_migrations!("tests/ui/naming/file_name_without_direction_is_rejected/migrations");

fn main() {}
