mod models;
mod repos;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = sqlx::SqlitePool::connect(&std::env::var("DATABASE_URL")?).await?;
    println!("Checking database migrations...");
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(())
}
