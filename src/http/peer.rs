//! Who is calling, and where they reached us: the client's address (for the login limiter) and
//! the origin (for the absolute links of feeds and linked data). Behind a reverse proxy these
//! come from `Forwarded` (RFC 7239) or `X-Forwarded-*`, but only when the peer is one of
//! `RELAIS_TRUSTED_PROXIES`: from anyone else those headers are the caller's say-so.

use std::net::IpAddr;

use crate::config::TrustedProxies;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, web};

fn proxies(req: &HttpRequest) -> Option<&TrustedProxies> {
    req.app_data::<web::Data<AppState>>()
        .map(|state| &state.sharing.trusted_proxies)
}

fn trusted_peer(req: &HttpRequest) -> bool {
    match (proxies(req), req.peer_addr()) {
        (Some(proxies), Some(peer)) => proxies.trust(peer.ip()),
        _ => false,
    }
}

/// `192.0.2.60`, `"[2001:db8::17]:4711"`, `198.51.100.9:8080`: the address of a `for=` or of
/// an `X-Forwarded-For` entry.
fn forwarded_address(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    value.parse().ok().or_else(|| {
        let (host, port) = value.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        host.parse().ok()
    })
}

/// The chain of addresses the proxies recorded, the client first.
fn forwarded_chain(req: &HttpRequest) -> Vec<Option<IpAddr>> {
    let joined = |name: header::HeaderName| -> Option<String> {
        let values: Vec<&str> = req
            .headers()
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    if let Some(forwarded) = joined(header::FORWARDED) {
        return forwarded
            .split(',')
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| forwarded_address(value))
                })
            })
            .collect();
    }
    joined(header::X_FORWARDED_FOR)
        .map(|list| list.split(',').map(forwarded_address).collect())
        .unwrap_or_default()
}

/// The client's address: the peer's, or behind trusted proxies the last address they recorded
/// that is not one of theirs.
pub fn client_address(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let Some(proxies) = proxies(req).filter(|p| p.trust(peer)) else {
        return Some(peer);
    };
    for hop in forwarded_chain(req).into_iter().rev() {
        match hop {
            Some(address) if proxies.trust(address) => continue,
            Some(address) => return Some(address),
            // A hop a proxy could not name (`unknown`, garbage): no further back is believed.
            None => return Some(peer),
        }
    }
    Some(peer)
}

/// Where this server is, as the caller reaches it (`https://relais.example.fr`): feeds and
/// linked data hold absolute links. The forwarded scheme and host count only from a trusted
/// proxy, so that nobody can make a shared cache keep links to a host of theirs.
pub fn origin(req: &HttpRequest) -> String {
    if trusted_peer(req) {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    let config = req.app_config();
    let scheme = if config.secure() { "https" } else { "http" };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or(config.host());
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_are_read_with_or_without_port() {
        assert_eq!(forwarded_address("192.0.2.60"), "192.0.2.60".parse().ok());
        assert_eq!(
            forwarded_address("\"[2001:db8::17]:4711\""),
            "2001:db8::17".parse().ok()
        );
        assert_eq!(
            forwarded_address(" 198.51.100.9:8080"),
            "198.51.100.9".parse().ok()
        );
        assert_eq!(forwarded_address("unknown"), None);
        assert_eq!(forwarded_address("_hidden"), None);
    }
}
