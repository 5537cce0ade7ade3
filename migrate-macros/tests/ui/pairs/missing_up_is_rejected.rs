migrate_runtime::embed_migrations!("tests/ui/pairs/missing_up_is_rejected/migrations");

fn main() {}
