migrate_runtime::embed_migrations!("tests/ui/syntax/syntax_error_is_rejected/migrations");

fn main() {}
