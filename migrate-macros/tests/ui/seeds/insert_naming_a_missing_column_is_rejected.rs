migrate_runtime::embed_migrations!(
    "tests/ui/seeds/insert_naming_a_missing_column_is_rejected/migrations",
    seeds = "tests/ui/seeds/insert_naming_a_missing_column_is_rejected/seeds"
);

fn main() {}
