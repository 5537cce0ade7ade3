migrate_runtime::embed_migrations!(
    "tests/ui/seeds/not_null_column_left_out_is_rejected/migrations",
    seeds = "tests/ui/seeds/not_null_column_left_out_is_rejected/seeds"
);

fn main() {}
