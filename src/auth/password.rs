//! Password hashing with argon2id (m=19456 KiB, t=2, p=1: the OWASP minimum).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::ApiError;

fn hasher() -> Result<Argon2<'static>, ApiError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| ApiError::internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_now(password: &str) -> Result<String, ApiError> {
    hasher()?
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("hashing a password: {e}")))
}

/// Verifies `password` against `stored`; with `None` it verifies against a fixed hash anyway,
/// so that an unknown email costs the same time as a wrong password.
fn verify_now(password: &str, stored: Option<&str>) -> bool {
    // A valid argon2id hash of a random password, with the same parameters as ours.
    const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5B3dQUaW9hvpA7V6oaDUvL9bCc4dbNr5Uxb8kFJm0I4";
    let found = stored.is_some();
    let Ok(parsed) = PasswordHash::new(stored.unwrap_or(DECOY)) else {
        return false;
    };
    let Ok(argon) = hasher() else { return false };
    argon.verify_password(password.as_bytes(), &parsed).is_ok() && found
}

/// Hashes `password` off the async workers: it takes tens of milliseconds on purpose.
pub async fn hash(password: String) -> Result<String, ApiError> {
    actix_web::web::block(move || hash_now(&password))
        .await
        .map_err(|e| ApiError::internal(format!("password hashing: {e}")))?
}

/// Verifies `password` against `stored` (see [`verify_now`]) off the async workers.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    actix_web::web::block(move || verify_now(&password, stored.as_deref()))
        .await
        .map_err(|e| ApiError::internal(format!("password check: {e}")))
}
