migrate_runtime::embed_migrations!("tests/ui/naming/version_too_large_for_bigint_is_rejected/migrations");

fn main() {}
