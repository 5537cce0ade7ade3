migrate_runtime::embed_migrations!("tests/ui/reversal/down_that_does_not_undo_its_up_is_rejected/migrations");

fn main() {}
