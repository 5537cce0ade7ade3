migrate_runtime::embed_migrations!("tests/ui/naming/two_names_for_one_version_is_rejected/migrations");

fn main() {}
