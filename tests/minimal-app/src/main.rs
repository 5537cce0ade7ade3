//! Applies its migrations to `DATABASE_URL` and inserts one row through the
//! generated types: all an app that embeds and applies migrations needs.

pgcheck::embed_migrations!("migrations");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@localhost:5432/postgres".to_owned());
    let mut client = pgcheck::connect::ConnectOptions::parse(&url)?.connect()?;
    let report = pgcheck::Migrator::new(&MIGRATIONS).up(&mut client)?;
    println!("{} applied", report.steps.len());
    let note = schema::notes::Insert::new("hello").insert(&mut client)?;
    println!("note {} at {}", note.id, note.created_at);
    Ok(())
}
