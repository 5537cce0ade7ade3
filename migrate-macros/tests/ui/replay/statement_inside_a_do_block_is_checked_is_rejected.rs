migrate_runtime::embed_migrations!("tests/ui/replay/statement_inside_a_do_block_is_checked_is_rejected/migrations");

fn main() {}
