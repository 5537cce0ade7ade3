migrate_runtime::embed_migrations!("tests/ui/syntax/down_is_not_checked_after_a_broken_up_is_rejected/migrations");

fn main() {}
