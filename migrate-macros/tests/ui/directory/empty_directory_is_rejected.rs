migrate_runtime::embed_migrations!("tests/ui/directory/empty_directory_is_rejected/migrations");

fn main() {}
