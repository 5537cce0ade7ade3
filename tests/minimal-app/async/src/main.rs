//! Applies the minimal app's migrations to `DATABASE_URL` from inside
//! `#[tokio::main]` and inserts one row through the generated types.

pgcheck::embed_migrations!("../migrations");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@localhost:5432/postgres".to_owned());
    let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let report = pgcheck::Migrator::new(&MIGRATIONS)
        .up_async(&mut client)
        .await?;
    println!("{} applied", report.steps.len());
    let note = schema::notes::Insert::new("hello")
        .insert_async(&client)
        .await?;
    println!("note {} at {}", note.id, note.created_at);
    Ok(())
}
