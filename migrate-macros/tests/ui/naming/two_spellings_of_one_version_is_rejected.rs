migrate_runtime::embed_migrations!("tests/ui/naming/two_spellings_of_one_version_is_rejected/migrations");

fn main() {}
