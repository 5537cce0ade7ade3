migrate_runtime::embed_migrations!("tests/ui/transactions/begin_and_commit_in_a_file_is_rejected/migrations");

fn main() {}
