migrate_runtime::embed_migrations!(
    "tests/ui/args/unknown_argument_is_rejected/migrations",
    seed = "tests/ui/args/unknown_argument_is_rejected/seeds",
);

fn main() {}
