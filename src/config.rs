//! Typed configuration, read once from the environment.

use std::net::IpAddr;
use std::path::PathBuf;

use ipnet::IpNet;

use crate::auth::roles::{AccountRole, Role};
use crate::storage::Storage;

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
    /// `RELAIS_JWT_PREVIOUS_SECRETS`, comma-separated: secrets that still verify, no longer sign.
    pub jwt_previous_secrets: Vec<String>,
    /// `RELAIS_JWKS_*`: an external identity provider, when `RELAIS_JWKS_FILE` is set.
    pub jwks: Option<JwksConfig>,
    /// `RELAIS_LOGIN_*`: the brute-force limits of `POST /auth/token`.
    pub login_limits: LoginLimits,
    /// The database connections.
    pub pooling: Pooling,
    /// Documents' files: `RELAIS_FILES_BUCKET` (S3, configured by the `AWS_*` variables),
    /// or else the folder `RELAIS_FILES_DIR` (default: `files` in the data folder).
    pub storage: Storage,
    /// `RELAIS_FILE_MAX_BYTES`, the largest file accepted (default 50 MiB).
    pub file_max_bytes: u64,
    /// `RELAIS_TRASH_RETENTION_DAYS`, how long deleted items stay in the trash (default 30).
    pub trash_retention_days: u64,
    /// How other sites and shared caches are answered.
    pub sharing: Sharing,
    /// How webhook deliveries go out.
    pub delivering: Delivering,
    /// `RELAIS_DEMO_DATA` (default `true`): whether a new private cluster gets the French
    /// demo data. A database given by `DATABASE_URL` never does.
    pub demo_data: bool,
}

/// The database connections, and how long a request may hold one or wait for one.
#[derive(Clone, Copy, Debug)]
pub struct Pooling {
    /// `RELAIS_DB_POOL_SIZE`, the number of connections (default 16): of the server's workers
    /// together, each with its share in a pool of its own (the background tasks have one more
    /// such share, opened as they need it).
    pub size: usize,
    /// `RELAIS_DB_POOL_WAIT_MS`: how long a request waits for a free connection before it is
    /// answered `503` with `Retry-After` (default 5,000).
    pub wait: std::time::Duration,
    /// `RELAIS_STATEMENT_TIMEOUT_MS`: a statement running longer is cancelled and its request
    /// answered `503` (default 5,000; 0 for none).
    pub statement_timeout: std::time::Duration,
}

impl Pooling {
    /// For a command: `size` connections, as long as its statements take.
    pub fn command(size: usize) -> Pooling {
        Pooling {
            size,
            wait: std::time::Duration::from_secs(30),
            statement_timeout: std::time::Duration::ZERO,
        }
    }
}

/// How webhook deliveries go out.
#[derive(Clone, Copy, Debug)]
pub struct Delivering {
    /// `RELAIS_WEBHOOKS_ALLOW_PRIVATE`: `http` and loopback or private addresses, for
    /// development only (default `false`).
    pub allow_private: bool,
    /// `RELAIS_WEBHOOK_RETRY_MS`: the wait after a first failed attempt, doubled after each
    /// further one, at most an hour (default 5,000).
    pub first_retry: std::time::Duration,
    /// `RELAIS_WEBHOOK_MAX_FAILURES`: failed attempts in a row after which an endpoint is
    /// disabled; a delivery is given up after as many attempts (default 10).
    pub max_failures: i32,
}

impl Default for Delivering {
    fn default() -> Self {
        Delivering {
            allow_private: false,
            first_retry: std::time::Duration::from_secs(5),
            max_failures: 10,
        }
    }
}

/// How relais answers pages of other origins and the shared caches in front of it.
#[derive(Clone, Debug)]
pub struct Sharing {
    /// `RELAIS_CORS_ORIGINS`, comma-separated (`https://www.pole-zones-humides.org`): the
    /// origins whose pages may make authenticated calls. Public reads are open to every origin.
    pub cors_origins: Vec<String>,
    /// `RELAIS_CACHE_MAX_AGE`: how many seconds a shared cache keeps a public answer
    /// (default 60).
    pub cache_max_age: u32,
    /// `RELAIS_CACHE_STALE_SECONDS`: how long after that it may still serve it while it asks
    /// again (`stale-while-revalidate`, default 300).
    pub cache_stale: u32,
    /// `RELAIS_TRUSTED_PROXIES`: the reverse proxies in front of relais, whose `Forwarded` or
    /// `X-Forwarded-*` headers name the client and the origin it reached (default: none).
    pub trusted_proxies: TrustedProxies,
}

impl Default for Sharing {
    fn default() -> Self {
        Sharing {
            cors_origins: Vec::new(),
            cache_max_age: 60,
            cache_stale: 300,
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// `RELAIS_TRUSTED_PROXIES`: the addresses and ranges whose forwarding headers are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// `10.0.0.5, 192.168.0.0/16, ::1`.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("RELAIS_TRUSTED_PROXIES: `{item}` is not an address or a range")
                    })
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    pub fn trust(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }
}

/// `RELAIS_CORS_ORIGINS`: each a `scheme://host[:port]` origin, as browsers send it.
fn origins(value: Option<String>) -> Result<Vec<String>, String> {
    let mut origins = Vec::new();
    for origin in value.iter().flat_map(|v| v.split(',')).map(str::trim) {
        if origin.is_empty() {
            continue;
        }
        let (scheme, host) = origin.split_once("://").unwrap_or(("", ""));
        if !matches!(scheme, "http" | "https") || host.is_empty() || host.contains('/') {
            return Err(format!(
                "RELAIS_CORS_ORIGINS: `{origin}` is not an origin such as \
                 https://www.example.fr (scheme and host, no path; `*` is not allowed: public \
                 reads are open to every origin already)"
            ));
        }
        origins.push(origin.to_ascii_lowercase());
    }
    Ok(origins)
}

/// An external identity provider (a region's single sign-on, say).
#[derive(Clone, Debug)]
pub struct JwksConfig {
    /// `RELAIS_JWKS_FILE`: its public keys, as a JWKS document.
    pub file: PathBuf,
    /// `RELAIS_JWKS_ISSUER`: the `iss` of its tokens.
    pub issuer: String,
    /// `RELAIS_JWKS_AUDIENCE`: the `aud` its tokens carry for us (default: ours).
    pub audience: String,
    /// `RELAIS_JWKS_ROLE_CLAIM`: the claim holding its roles (default `role`).
    pub role_claim: String,
    /// `RELAIS_JWKS_ROLES`: `value=role` pairs, e.g. `relais-admin=admin,agent=member`.
    pub roles: Vec<(String, Role)>,
}

/// Failed logins tolerated within a window before `429 Too Many Requests`.
#[derive(Clone, Copy, Debug)]
pub struct LoginLimits {
    /// `RELAIS_LOGIN_WINDOW_SECONDS` (default 900).
    pub window_seconds: u64,
    /// `RELAIS_LOGIN_MAX_PER_ACCOUNT` (default 5).
    pub per_account: usize,
    /// `RELAIS_LOGIN_MAX_PER_ADDRESS` (default 20).
    pub per_address: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            window_seconds: 900,
            per_account: 5,
            per_address: 20,
        }
    }
}

fn number<T: std::str::FromStr>(
    name: &str,
    value: Option<String>,
    default: T,
) -> Result<T, String> {
    match value {
        Some(v) => v
            .parse()
            .map_err(|_| format!("{name} must be a number, not {v:?}")),
        None => Ok(default),
    }
}

fn role_map(text: &str) -> Result<Vec<(String, Role)>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (value, role) = pair
                .split_once('=')
                .ok_or_else(|| format!("RELAIS_JWKS_ROLES: `{pair}` is not value=role"))?;
            let role = role
                .trim()
                .parse::<AccountRole>()
                .map(Role::from)
                .map_err(|_| format!("RELAIS_JWKS_ROLES: `{role}` is not member or admin"))?;
            Ok((value.trim().to_string(), role))
        })
        .collect()
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let millis = |name: &str| -> Result<std::time::Duration, String> {
            Ok(std::time::Duration::from_millis(number(
                name,
                var(name),
                5_000,
            )?))
        };
        let pooling = Pooling {
            size: number("RELAIS_DB_POOL_SIZE", var("RELAIS_DB_POOL_SIZE"), 16)?,
            wait: millis("RELAIS_DB_POOL_WAIT_MS")?,
            statement_timeout: millis("RELAIS_STATEMENT_TIMEOUT_MS")?,
        };
        let defaults = LoginLimits::default();
        let login_limits = LoginLimits {
            window_seconds: number(
                "RELAIS_LOGIN_WINDOW_SECONDS",
                var("RELAIS_LOGIN_WINDOW_SECONDS"),
                defaults.window_seconds,
            )?,
            per_account: number(
                "RELAIS_LOGIN_MAX_PER_ACCOUNT",
                var("RELAIS_LOGIN_MAX_PER_ACCOUNT"),
                defaults.per_account,
            )?,
            per_address: number(
                "RELAIS_LOGIN_MAX_PER_ADDRESS",
                var("RELAIS_LOGIN_MAX_PER_ADDRESS"),
                defaults.per_address,
            )?,
        };
        let jwt_audience = var("RELAIS_JWT_AUDIENCE").unwrap_or_else(|| "relais-api".into());
        let jwks = match var("RELAIS_JWKS_FILE") {
            None => None,
            Some(file) => Some(JwksConfig {
                file: PathBuf::from(file),
                issuer: var("RELAIS_JWKS_ISSUER")
                    .ok_or("RELAIS_JWKS_FILE needs RELAIS_JWKS_ISSUER")?,
                audience: var("RELAIS_JWKS_AUDIENCE").unwrap_or_else(|| jwt_audience.clone()),
                role_claim: var("RELAIS_JWKS_ROLE_CLAIM").unwrap_or_else(|| "role".into()),
                roles: role_map(
                    &var("RELAIS_JWKS_ROLES").unwrap_or_else(|| "admin=admin,member=member".into()),
                )?,
            }),
        };
        let data_dir = var("RELAIS_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".relais"));
        let storage = match var("RELAIS_FILES_BUCKET") {
            Some(bucket) => Storage::Bucket(bucket),
            None => Storage::Folder(
                var("RELAIS_FILES_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| data_dir.join("files")),
            ),
        };
        Ok(Config {
            bind: var("RELAIS_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url: var("DATABASE_URL"),
            data_dir,
            jwt_secret: var("RELAIS_JWT_SECRET"),
            jwt_issuer: var("RELAIS_JWT_ISSUER").unwrap_or_else(|| "relais".into()),
            jwt_audience,
            jwt_previous_secrets: var("RELAIS_JWT_PREVIOUS_SECRETS")
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            jwks,
            login_limits,
            pooling,
            storage,
            file_max_bytes: number(
                "RELAIS_FILE_MAX_BYTES",
                var("RELAIS_FILE_MAX_BYTES"),
                50 * 1024 * 1024,
            )?,
            trash_retention_days: number(
                "RELAIS_TRASH_RETENTION_DAYS",
                var("RELAIS_TRASH_RETENTION_DAYS"),
                30,
            )?,
            delivering: Delivering {
                allow_private: match var("RELAIS_WEBHOOKS_ALLOW_PRIVATE").as_deref() {
                    None | Some("false") => false,
                    Some("true") => true,
                    Some(other) => {
                        return Err(format!(
                            "RELAIS_WEBHOOKS_ALLOW_PRIVATE must be true or false, not {other:?}"
                        ));
                    }
                },
                first_retry: std::time::Duration::from_millis(number(
                    "RELAIS_WEBHOOK_RETRY_MS",
                    var("RELAIS_WEBHOOK_RETRY_MS"),
                    5_000,
                )?),
                max_failures: number(
                    "RELAIS_WEBHOOK_MAX_FAILURES",
                    var("RELAIS_WEBHOOK_MAX_FAILURES"),
                    10,
                )?,
            },
            demo_data: match var("RELAIS_DEMO_DATA").as_deref() {
                None | Some("true") => true,
                Some("false") => false,
                Some(other) => {
                    return Err(format!(
                        "RELAIS_DEMO_DATA must be true or false, not {other:?}"
                    ));
                }
            },
            sharing: Sharing {
                cors_origins: origins(var("RELAIS_CORS_ORIGINS"))?,
                cache_max_age: number("RELAIS_CACHE_MAX_AGE", var("RELAIS_CACHE_MAX_AGE"), 60)?,
                cache_stale: number(
                    "RELAIS_CACHE_STALE_SECONDS",
                    var("RELAIS_CACHE_STALE_SECONDS"),
                    300,
                )?,
                trusted_proxies: TrustedProxies::parse(
                    &var("RELAIS_TRUSTED_PROXIES").unwrap_or_default(),
                )?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_are_addresses_or_ranges() {
        let proxies = TrustedProxies::parse("10.0.0.5, 192.168.0.0/16,::1").expect("valid");
        assert!(proxies.trust("10.0.0.5".parse().expect("ip")));
        assert!(proxies.trust("192.168.4.2".parse().expect("ip")));
        assert!(proxies.trust("::1".parse().expect("ip")));
        assert!(!proxies.trust("10.0.0.6".parse().expect("ip")));
        assert!(TrustedProxies::parse("10.0.0.300").is_err());
    }
}
