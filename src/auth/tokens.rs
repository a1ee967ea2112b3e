//! Signing and verifying access tokens (HS256, pinned; RFC 8725).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use std::path::Path;
use uuid::Uuid;

use super::Role;
use crate::config::Config;
use crate::error::ApiError;

/// How long an access token lives.
pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECONDS: u64 = 30;
const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: Role,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: Uuid,
}

pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
}

impl TokenService {
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Result<Self, String> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "RELAIS_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long"
            ));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = LEEWAY_SECONDS;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        Ok(TokenService {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
        })
    }

    /// From `RELAIS_JWT_SECRET`, or a development secret generated once in the data folder.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let secret = match &config.jwt_secret {
            Some(secret) => secret.clone(),
            None => development_secret(&config.data_dir)?,
        };
        Self::new(secret.as_bytes(), &config.jwt_issuer, &config.jwt_audience)
    }

    pub fn issue(&self, user: Uuid, role: Role) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user,
            role,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + ACCESS_TOKEN_SECONDS,
            iat: now,
            jti: Uuid::new_v4(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::internal(format!("signing a token: {e}")))
    }

    /// Every failure, whatever its cause, is a 401 that says what was wrong.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| ApiError::unauthorized(format!("invalid token: {e}")))?;
        if data.claims.role == Role::Public {
            return Err(ApiError::unauthorized("invalid token: no such role"));
        }
        Ok(data.claims)
    }
}

fn development_secret(data_dir: &Path) -> Result<String, String> {
    let path = data_dir.join("jwt-secret");
    if let Ok(secret) = std::fs::read_to_string(&path) {
        return Ok(secret.trim().to_string());
    }
    use rand::Rng;
    let secret: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(64)
        .map(char::from)
        .collect();
    std::fs::create_dir_all(data_dir)
        .and_then(|()| std::fs::write(&path, &secret))
        .map_err(|e| {
            format!(
                "cannot keep a development secret in {}: {e}",
                path.display()
            )
        })?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("cannot protect {}: {e}", path.display()))?;
    }
    log::warn!(
        "RELAIS_JWT_SECRET is unset: using a development secret kept in {}",
        path.display()
    );
    Ok(secret)
}
