// A derive that does not resolve is the compiler's error, on the argument.
migrate_runtime::embed_migrations!(
    "tests/ui/args/unknown_derive_is_rejected/migrations",
    derive(Clone, NoSuchDerive),
);

fn main() {}
