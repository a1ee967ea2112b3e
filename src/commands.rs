//! The one-shot commands of the binary: `migrate`, `seed`, `create-user`.

use crate::auth::AccountRole;
use crate::config::{Config, Pooling};
use crate::{Database, db};

async fn with_database<T>(
    config: &Config,
    work: impl AsyncFnOnce(&str) -> Result<T, String>,
) -> Result<T, String> {
    let database = Database::open(config).await?;
    let result = work(&database.url).await;
    tokio::task::spawn_blocking(move || database.close())
        .await
        .map_err(|e| format!("stopping the cluster: {e}"))?;
    result
}

pub async fn migrate(config: &Config) -> Result<(), String> {
    // Opening the database applies the migrations.
    with_database(config, async |_| {
        println!("the database is up to date");
        Ok(())
    })
    .await
}

pub async fn seed(config: &Config) -> Result<(), String> {
    with_database(config, async |url| {
        let pool = db::pool(url, Pooling::command(2), Default::default())?;
        let mut conn = pool
            .get()
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let counts = crate::seed::run(&mut conn)
            .await
            .map_err(|e| format!("seeding failed: {e}"))?;
        println!("{counts}");
        Ok(())
    })
    .await
}

pub async fn create_user(
    config: &Config,
    email: &str,
    password: &str,
    role: AccountRole,
) -> Result<(), String> {
    with_database(config, async |url| {
        let pool = db::pool(url, Pooling::command(1), Default::default())?;
        let mut conn = pool
            .get()
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let id = crate::resources::users::api::create_account(&mut conn, email, password, role)
            .await
            .map_err(|e| e.to_string())?;
        println!("created {} {email} ({id})", role.as_str());
        Ok(())
    })
    .await
}
