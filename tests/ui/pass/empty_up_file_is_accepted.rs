// An empty or comment-only up is a migration that does nothing, as in
// golang-migrate, sqlx, refinery and dbmate.
migrate_runtime::embed_migrations!("tests/ui/pass/empty_up_file_is_accepted/migrations");

fn main() {
    assert_eq!(MIGRATIONS.iter().count(), 1);
}
