migrate_runtime::embed_migrations!("tests/ui/replay/down_restoring_another_function_body_is_rejected/migrations");

fn main() {}
