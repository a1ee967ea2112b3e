//! Typed configuration, read once from the environment.

use std::path::PathBuf;

/// Everything the server needs to know about its surroundings.
#[derive(Clone, Debug)]
pub struct Config {
    /// `RELAIS_BIND`, the address the HTTP server listens on.
    pub bind: String,
    /// `DATABASE_URL`; when unset, a private cluster is started in `data_dir`.
    pub database_url: Option<String>,
    /// `RELAIS_DATA_DIR`, where the private cluster and the development secret live.
    pub data_dir: PathBuf,
    /// `RELAIS_JWT_SECRET`; when unset, a development secret is kept in `data_dir`.
    pub jwt_secret: Option<String>,
    /// `RELAIS_JWT_ISSUER`, the `iss` of the tokens we sign and accept.
    pub jwt_issuer: String,
    /// `RELAIS_JWT_AUDIENCE`, the `aud` of the tokens we sign and accept.
    pub jwt_audience: String,
    /// `RELAIS_DB_POOL_SIZE`, the number of database connections.
    pub pool_size: usize,
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let pool_size = match var("RELAIS_DB_POOL_SIZE") {
            Some(v) => v
                .parse()
                .map_err(|_| format!("RELAIS_DB_POOL_SIZE must be a number, not {v:?}"))?,
            None => 16,
        };
        Ok(Config {
            bind: var("RELAIS_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url: var("DATABASE_URL"),
            data_dir: var("RELAIS_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".relais")),
            jwt_secret: var("RELAIS_JWT_SECRET"),
            jwt_issuer: var("RELAIS_JWT_ISSUER").unwrap_or_else(|| "relais".into()),
            jwt_audience: var("RELAIS_JWT_AUDIENCE").unwrap_or_else(|| "relais-api".into()),
            pool_size,
        })
    }
}
