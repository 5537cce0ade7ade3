migrate_runtime::embed_migrations!("tests/ui/replay/syntax_newer_than_the_target_is_rejected/migrations");

fn main() {}
