//! Webhooks: every committed change to a public item is sent to the endpoints that want it,
//! signed as the Standard Webhooks specification says, from an outbox that the change's own
//! transaction writes (a trigger on the audit trail, migration 000021). Each server delivers
//! what is due, claiming rows with `SKIP LOCKED` so that several servers share the work and
//! none sends a delivery twice at once; a failed attempt is retried with exponential backoff,
//! and an endpoint that keeps failing is disabled.
//!
//! Endpoints are `https` outside loopback and private networks, checked when registered and
//! again, on the addresses the name resolves to, at each delivery (the request then goes to
//! the checked address), so that relais cannot be made to call inside its own network.

pub mod api;
pub mod model;

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::web;
use base64::Engine;
use diesel::QueryableByName;
use diesel::sql_types::{Integer, Text, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use crate::config::Delivering;
use crate::error::{ApiError, ApiResult};
use crate::i18n::Message;
use crate::msg;
use crate::state::AppState;

static DELIVERING: OnceLock<Delivering> = OnceLock::new();

/// How deliveries go out, set once at start from the configuration.
pub fn configure(delivering: Delivering) {
    let _ = DELIVERING.set(delivering);
}

fn delivering() -> Delivering {
    DELIVERING.get().copied().unwrap_or_default()
}

/// Whether an address is on the public internet (not loopback, private, link-local, shared,
/// documentation, multicast or unspecified).
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => {
            let [a, b, ..] = ip.octets();
            !(ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_broadcast()
                || ip.is_documentation()
                || ip.is_unspecified()
                || ip.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(ip) => {
            let first = ip.segments()[0];
            match ip.to_ipv4_mapped() {
                Some(v4) => is_public(IpAddr::V4(v4)),
                None => {
                    !(ip.is_loopback()
                        || ip.is_unspecified()
                        || ip.is_multicast()
                        || (first & 0xfe00) == 0xfc00
                        || (first & 0xffc0) == 0xfe80)
                }
            }
        }
    }
}

/// The endpoint's URL, if relais may call it: `https`, and not inside a private network.
pub fn check_endpoint(url: &str) -> ApiResult<reqwest::Url> {
    let refuse = |why: Message| ApiError::invalid_field("url", "endpoint", why);
    let parsed = reqwest::Url::parse(url).map_err(|_| refuse(msg!("endpoint-not-url")))?;
    let allow_private = delivering().allow_private;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(refuse(msg!("endpoint-https"))),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refuse(msg!("endpoint-credentials")));
    }
    let private = match parsed.host() {
        None => return Err(refuse(msg!("endpoint-host"))),
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost"
                || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
                || !name.contains('.')
        }
    };
    if private && !allow_private {
        return Err(refuse(msg!("endpoint-private")));
    }
    Ok(parsed)
}

/// A Standard Webhooks secret: `whsec_` and the base64 of 24 bytes or more.
pub fn check_secret(secret: &str) -> ApiResult<()> {
    let key = secret
        .strip_prefix("whsec_")
        .and_then(|key| base64::engine::general_purpose::STANDARD.decode(key).ok());
    match key {
        Some(key) if key.len() >= 24 => Ok(()),
        _ => Err(ApiError::invalid_field(
            "secret",
            "secret",
            msg!("webhook-secret-form"),
        )),
    }
}

/// A delivery that is due, with its endpoint.
#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    webhook_id: Uuid,
    #[diesel(sql_type = Text)]
    payload: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Text)]
    url: String,
    #[diesel(sql_type = Text)]
    secret: String,
    #[diesel(sql_type = Timestamptz)]
    created_at: chrono::DateTime<chrono::Utc>,
}

/// What an attempt came to.
struct Attempt {
    status: Option<u16>,
    error: Option<String>,
}

impl Attempt {
    fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Sends one delivery: to the checked addresses of its endpoint, signed.
async fn send(due: &Due) -> Attempt {
    let failed = |error: String| Attempt {
        status: None,
        error: Some(error),
    };
    let url = match check_endpoint(&due.url) {
        Ok(url) => url,
        Err(e) => return failed(format!("{e:?}")),
    };
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = match tokio::net::lookup_host((host.as_str(), port)).await {
        Ok(addresses) => addresses.collect(),
        Err(e) => return failed(format!("cannot resolve {host}: {e}")),
    };
    let allow_private = delivering().allow_private;
    if addresses.is_empty() || (!allow_private && addresses.iter().any(|a| !is_public(a.ip()))) {
        return failed(format!("{host} resolves to a private address"));
    }
    let signer = match standardwebhooks::Webhook::new(&due.secret) {
        Ok(signer) => signer,
        Err(e) => return failed(format!("the secret: {e}")),
    };
    let timestamp = chrono::Utc::now().timestamp();
    let message_id = format!("msg_{}", due.id.simple());
    let signature = match signer.sign(&message_id, timestamp, due.payload.as_bytes()) {
        Ok(signature) => signature,
        Err(e) => return failed(format!("signing: {e}")),
    };
    let client = reqwest::Client::builder()
        .resolve_to_addrs(&host, &addresses)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build();
    let client = match client {
        Ok(client) => client,
        Err(e) => return failed(format!("an HTTP client: {e}")),
    };
    let answer = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "relais-webhooks")
        .header(standardwebhooks::HEADER_WEBHOOK_ID, &message_id)
        .header(
            standardwebhooks::HEADER_WEBHOOK_TIMESTAMP,
            timestamp.to_string(),
        )
        .header(standardwebhooks::HEADER_WEBHOOK_SIGNATURE, signature)
        .body(due.payload.clone())
        .send()
        .await;
    match answer {
        Ok(answer) => Attempt {
            status: Some(answer.status().as_u16()),
            error: (!answer.status().is_success())
                .then(|| format!("the endpoint answered {}", answer.status())),
        },
        Err(e) => failed(e.to_string()),
    }
}

/// Sends what is due, a few at a time; how many were attempted.
async fn deliver_due(state: &AppState) -> ApiResult<usize> {
    let settings = delivering();
    let mut conn = state.conn().await?;
    conn.transaction(async |c| {
        let due = diesel::sql_query(
            "SELECT d.id, d.webhook_id, d.payload::text AS payload, d.attempts, w.url, w.secret, \
             d.created_at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND w.enabled \
             ORDER BY d.next_attempt_at, d.created_at LIMIT 16 FOR UPDATE OF d SKIP LOCKED",
        )
        .load::<Due>(c)
        .await?;
        for delivery in &due {
            let attempt = send(delivery).await;
            let attempts = delivery.attempts + 1;
            let delivered = attempt.delivered();
            let given_up = !delivered && attempts >= settings.max_failures;
            let wait = settings
                .first_retry
                .saturating_mul(2u32.saturating_pow((attempts - 1).clamp(0, 20) as u32))
                .min(Duration::from_secs(3600));
            diesel::sql_query(
                "UPDATE webhook_deliveries SET attempts = $2, last_status = $3, last_error = $4, \
                 status = $5, delivered_at = CASE WHEN $5 = 'delivered' THEN now() END, \
                 next_attempt_at = clock_timestamp() + $6 * interval '1 millisecond' \
                 WHERE id = $1",
            )
            .bind::<diesel::sql_types::Uuid, _>(delivery.id)
            .bind::<Integer, _>(attempts)
            .bind::<diesel::sql_types::Nullable<Integer>, _>(attempt.status.map(i32::from))
            .bind::<diesel::sql_types::Nullable<Text>, _>(attempt.error.clone())
            .bind::<Text, _>(match (delivered, given_up) {
                (true, _) => "delivered",
                (false, true) => "failed",
                (false, false) => "pending",
            })
            .bind::<diesel::sql_types::BigInt, _>(i64::try_from(wait.as_millis()).unwrap_or(0))
            .execute(c)
            .await?;
            // Failures in a row, past the limit, disable the endpoint; a success clears them.
            diesel::sql_query(
                "UPDATE webhooks SET consecutive_failures = CASE WHEN $2 THEN 0 \
                 ELSE consecutive_failures + 1 END, \
                 enabled = enabled AND ($2 OR consecutive_failures + 1 < $3), \
                 disabled_reason = CASE WHEN NOT $2 AND consecutive_failures + 1 >= $3 \
                 THEN $4 ELSE disabled_reason END WHERE id = $1",
            )
            .bind::<diesel::sql_types::Uuid, _>(delivery.webhook_id)
            .bind::<diesel::sql_types::Bool, _>(delivered)
            .bind::<Integer, _>(settings.max_failures)
            .bind::<Text, _>(format!(
                "{} failed attempts in a row, the last: {}",
                settings.max_failures,
                attempt.error.unwrap_or_default()
            ))
            .execute(c)
            .await?;
            log::debug!(
                "webhook delivery {} (queued {}): attempt {attempts}, delivered: {delivered}",
                delivery.id,
                delivery.created_at
            );
        }
        Ok::<_, ApiError>(due.len())
    })
    .await
}

/// Delivers what is due, every half second, and at once again while there is more.
pub async fn keep_delivering(state: web::Data<AppState>) {
    loop {
        match deliver_due(&state).await {
            Ok(0) => tokio::time::sleep(Duration::from_millis(500)).await,
            Ok(_) => {}
            Err(e) => {
                log::warn!("delivering webhooks: {e:?}");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    /// The pattern the spec gives `secret`, read from the document.
    fn pattern() -> regex::Regex {
        let api = serde_json::to_value(crate::openapi::document()).expect("the document");
        let pattern =
            api["components"]["schemas"]["WebhookInput"]["properties"]["secret"]["pattern"]
                .as_str()
                .expect("the pattern")
                .to_string();
        regex::Regex::new(&pattern).expect("the pattern")
    }

    #[test]
    fn the_spec_takes_the_secrets_the_server_takes() {
        let pattern = pattern();
        let engine = base64::engine::general_purpose::STANDARD;
        for length in 20..40 {
            for fill in [0u8, 1, 0x7f, 0xff] {
                let key: Vec<u8> = (0..length)
                    .map(|i| fill.wrapping_add((i as u8).wrapping_mul(37)))
                    .collect();
                let secret = format!("whsec_{}", engine.encode(&key));
                assert_eq!(
                    pattern.is_match(&secret),
                    super::check_secret(&secret).is_ok(),
                    "{secret}"
                );
            }
        }
        for refused in [
            "whsec_",
            "whsec_AB==",
            "whsec_=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "sk_x",
        ] {
            assert!(!pattern.is_match(refused), "{refused}");
            assert!(super::check_secret(refused).is_err(), "{refused}");
        }
        // Padding bits that are not zero: base64 refuses them, and so does the pattern.
        let odd = format!("whsec_{}B=", "A".repeat(32));
        assert_eq!(
            pattern.is_match(&odd),
            super::check_secret(&odd).is_ok(),
            "{odd}"
        );
    }
}
