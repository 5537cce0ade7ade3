// `Row` and `Insert` derive `Debug` only, unless `derive(..)` asks for more:
// a derive costs compile time in every table.
migrate_runtime::embed_migrations!("tests/ui/args/clone_without_derive_clone_is_rejected/migrations");

fn copies<T: Clone>(_: &T) {}

fn main() {
    let row = schema::hosts::Row { id: 1, name: "alpha".to_owned() };
    copies(&row);
}
