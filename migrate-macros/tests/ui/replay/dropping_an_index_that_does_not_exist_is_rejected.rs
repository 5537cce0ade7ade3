migrate_runtime::embed_migrations!("tests/ui/replay/dropping_an_index_that_does_not_exist_is_rejected/migrations");

fn main() {}
