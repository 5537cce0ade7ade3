migrate_runtime::embed_migrations!("tests/ui/pairs/missing_down_is_rejected/migrations");

fn main() {}
