migrate_runtime::embed_migrations!("tests/ui/directory/empty_up_file_is_rejected/migrations");

fn main() {}
