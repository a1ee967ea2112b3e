//! Access tokens, done by the book (RFC 8725).
//!
//! Our own tokens are HS256, pinned, with a `kid` naming the secret that signed them: the
//! newest secret signs, older ones (`RELAIS_JWT_PREVIOUS_SECRETS`) still verify, so keys rotate
//! without logging anyone out. Tokens of an external identity provider are accepted through a
//! JWKS file (RS256 or EdDSA, chosen by the key, never by the token), with their role claim
//! mapped to member or admin. Every failure is a 401 that says what was wrong.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use uuid::Uuid;

use super::roles::Role;
use crate::config::Config;
use crate::error::ApiError;
use crate::msg;

/// How long an access token lives.
pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
/// Clock skew tolerated on `exp` and `nbf`, exactly.
pub const LEEWAY_SECONDS: u64 = 30;
const MIN_SECRET_BYTES: usize = 32;

/// The claims of the tokens we sign.
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

/// Who a verified token speaks for.
#[derive(Debug, Clone)]
pub struct Verified {
    pub role: Role,
    /// Our account, for our own tokens; `None` for an external identity provider's.
    pub user_id: Option<Uuid>,
}

/// An external identity provider: its keys, and how its claims map to our roles.
pub struct ExternalProvider {
    keys: HashMap<String, (DecodingKey, Algorithm)>,
    issuer: String,
    audience: String,
    role_claim: String,
    /// Claim value → role.
    roles: Vec<(String, Role)>,
}

impl ExternalProvider {
    /// Reads a JWKS document; only RSA (RS256) and Ed25519 (EdDSA) keys with a `kid` are kept.
    pub fn from_jwks(
        jwks: &str,
        issuer: &str,
        audience: &str,
        role_claim: &str,
        roles: Vec<(String, Role)>,
    ) -> Result<Self, String> {
        let set: JwkSet = serde_json::from_str(jwks).map_err(|e| format!("invalid JWKS: {e}"))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let algorithm = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
                    Algorithm::EdDSA
                }
                _ => continue,
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("JWKS key {kid}: {e}"))?;
            keys.insert(kid, (key, algorithm));
        }
        if keys.is_empty() {
            return Err("the JWKS holds no RSA or Ed25519 key with a kid".into());
        }
        Ok(ExternalProvider {
            keys,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            role_claim: role_claim.to_string(),
            roles,
        })
    }

    fn verify(
        &self,
        token: &str,
        key: &DecodingKey,
        algorithm: Algorithm,
    ) -> Result<Verified, ApiError> {
        let validation = validation(algorithm, &self.issuer, &self.audience);
        let claims = decode::<serde_json::Map<String, serde_json::Value>>(token, key, &validation)
            .map_err(rejected)?
            .claims;
        let values: Vec<&str> = match claims.get(&self.role_claim) {
            Some(serde_json::Value::String(value)) => vec![value.as_str()],
            Some(serde_json::Value::Array(values)) => {
                values.iter().filter_map(|v| v.as_str()).collect()
            }
            _ => Vec::new(),
        };
        let role = self
            .roles
            .iter()
            .filter(|(value, _)| values.contains(&value.as_str()))
            .map(|(_, role)| *role)
            .max()
            .ok_or_else(|| {
                ApiError::unauthorized(msg!("token-no-role", claim = self.role_claim.clone()))
            })?;
        Ok(Verified {
            role,
            user_id: None,
        })
    }
}

/// Why a token is refused, in the client's terms: the decoder's own errors name its parsers
/// ("JSON error: expected value at line 1 column 1").
fn rejected(error: jsonwebtoken::errors::Error) -> ApiError {
    use jsonwebtoken::errors::ErrorKind;
    let why = match error.kind() {
        ErrorKind::ExpiredSignature => msg!("token-expired"),
        ErrorKind::ImmatureSignature => msg!("token-immature"),
        ErrorKind::InvalidSignature => msg!("token-signature"),
        ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => msg!("token-audience"),
        ErrorKind::InvalidAlgorithm => msg!("token-algorithm"),
        ErrorKind::MissingRequiredClaim(claim) => {
            msg!("token-missing-claim", claim = claim.clone())
        }
        ErrorKind::InvalidClaimFormat(claim) => {
            msg!("token-malformed-claim", claim = claim.clone())
        }
        _ => msg!("token-malformed"),
    };
    ApiError::unauthorized(why)
}

fn validation(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.algorithms = vec![algorithm];
    validation.leeway = LEEWAY_SECONDS;
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation
}

/// The `kid` of a secret: the start of its SHA-256, so that nothing else needs configuring.
fn key_id(secret: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(secret)[..9])
}

pub struct TokenService {
    signing_kid: String,
    encoding: EncodingKey,
    /// Our secrets by kid, the signing one included.
    secrets: HashMap<String, DecodingKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    external: Option<ExternalProvider>,
}

impl TokenService {
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Result<Self, String> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "RELAIS_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long"
            ));
        }
        let signing_kid = key_id(secret);
        let mut secrets = HashMap::new();
        secrets.insert(signing_kid.clone(), DecodingKey::from_secret(secret));
        Ok(TokenService {
            signing_kid,
            encoding: EncodingKey::from_secret(secret),
            secrets,
            validation: validation(Algorithm::HS256, issuer, audience),
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            external: None,
        })
    }

    /// Secrets that no longer sign but still verify, during a rotation.
    pub fn with_previous_secrets<'a>(
        mut self,
        secrets: impl IntoIterator<Item = &'a [u8]>,
    ) -> Self {
        for secret in secrets {
            self.secrets
                .insert(key_id(secret), DecodingKey::from_secret(secret));
        }
        self
    }

    pub fn with_external_provider(mut self, provider: ExternalProvider) -> Self {
        self.external = Some(provider);
        self
    }

    /// From the configuration: `RELAIS_JWT_SECRET` (or a development secret kept in the data
    /// folder), `RELAIS_JWT_PREVIOUS_SECRETS`, and the optional `RELAIS_JWKS_*` provider.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let secret = match &config.jwt_secret {
            Some(secret) => secret.clone(),
            None => development_secret(&config.data_dir)?,
        };
        let mut service = Self::new(secret.as_bytes(), &config.jwt_issuer, &config.jwt_audience)?
            .with_previous_secrets(config.jwt_previous_secrets.iter().map(|s| s.as_bytes()));
        if let Some(jwks) = &config.jwks {
            let document = std::fs::read_to_string(&jwks.file).map_err(|e| {
                format!("cannot read RELAIS_JWKS_FILE {}: {e}", jwks.file.display())
            })?;
            let provider = ExternalProvider::from_jwks(
                &document,
                &jwks.issuer,
                &jwks.audience,
                &jwks.role_claim,
                jwks.roles.clone(),
            )?;
            service = service.with_external_provider(provider);
        }
        Ok(service)
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
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.signing_kid.clone());
        encode(&header, &claims, &self.encoding)
            .map_err(|e| ApiError::internal(format!("signing a token: {e}")))
    }

    /// The key is chosen by `kid`, and the algorithm by the key: a token cannot pick either.
    pub fn verify(&self, token: &str) -> Result<Verified, ApiError> {
        let header = decode_header(token).map_err(rejected)?;
        let kid = header
            .kid
            .ok_or_else(|| ApiError::unauthorized(msg!("token-no-kid")))?;
        if let Some(key) = self.secrets.get(&kid) {
            let claims = decode::<Claims>(token, key, &self.validation)
                .map_err(rejected)?
                .claims;
            if claims.role == Role::Public {
                return Err(ApiError::unauthorized(msg!("token-no-such-role")));
            }
            return Ok(Verified {
                role: claims.role,
                user_id: Some(claims.sub),
            });
        }
        if let Some(provider) = &self.external
            && let Some((key, algorithm)) = provider.keys.get(&kid)
        {
            return provider.verify(token, key, *algorithm);
        }
        Err(ApiError::unauthorized(msg!("token-unknown-kid", kid = kid)))
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
