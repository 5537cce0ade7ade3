migrate_runtime::embed_migrations!("tests/ui/replay/unknown_type_is_rejected/migrations");

fn main() {}
