migrate_runtime::embed_migrations!("tests/ui/transactions/commit_inside_a_file_is_rejected/migrations");

fn main() {}
