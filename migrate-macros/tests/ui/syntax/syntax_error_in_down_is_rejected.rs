migrate_runtime::embed_migrations!("tests/ui/syntax/syntax_error_in_down_is_rejected/migrations");

fn main() {}
