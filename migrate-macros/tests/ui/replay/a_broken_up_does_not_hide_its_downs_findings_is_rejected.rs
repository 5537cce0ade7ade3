migrate_runtime::embed_migrations!("tests/ui/replay/a_broken_up_does_not_hide_its_downs_findings_is_rejected/migrations");

fn main() {}
