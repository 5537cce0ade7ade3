migrate_runtime::embed_migrations!("tests/ui/directory/missing_directory_is_rejected/migrations");

fn main() {}
