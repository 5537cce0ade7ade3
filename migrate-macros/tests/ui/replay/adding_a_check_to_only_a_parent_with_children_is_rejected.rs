migrate_runtime::embed_migrations!("tests/ui/replay/adding_a_check_to_only_a_parent_with_children_is_rejected/migrations");

fn main() {}
