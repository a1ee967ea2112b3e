//! Several relais processes behind a balancer and a reverse proxy: the login limiter's counts
//! are shared through the database, and forwarding headers are believed only from the
//! proxies `RELAIS_TRUSTED_PROXIES` names.

use serde_json::json;

use crate::helpers::{PASSWORD, Process, TestApp};

async fn login(
    app: &TestApp,
    base: &str,
    email: &str,
    password: &str,
    forwarded: Option<&str>,
) -> u16 {
    let mut request = app
        .client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": email, "password": password}));
    if let Some(client) = forwarded {
        request = request.header("x-forwarded-for", client);
    }
    request.send().await.expect("answered").status().as_u16()
}

#[actix_web::test]
async fn two_processes_share_the_login_limits() {
    let app = TestApp::spawn().await;
    let limits = [
        ("RELAIS_LOGIN_MAX_PER_ACCOUNT", "3"),
        ("RELAIS_LOGIN_MAX_PER_ADDRESS", "100"),
        ("RELAIS_LOGIN_WINDOW_SECONDS", "60"),
    ];
    let first = Process::start(&app, &limits).await;
    let second = Process::start(&app, &limits).await;
    // Three failures, spread over both processes, use up the account's allowance.
    for base in [&first.base, &second.base, &first.base] {
        assert_eq!(
            login(&app, base, "membre@relais.test", "faux", None).await,
            401
        );
    }
    for base in [&first.base, &second.base] {
        assert_eq!(
            login(&app, base, "membre@relais.test", PASSWORD, None).await,
            429,
            "{base}"
        );
    }
    // Parallel guesses on both processes cannot slip past the limit either.
    let guesses = (0..12).map(|i| {
        let base = if i % 2 == 0 {
            &first.base
        } else {
            &second.base
        };
        login(&app, base, "admin@relais.test", "faux", None)
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let failed = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(failed, 3, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
}

#[actix_web::test]
async fn forwarded_clients_count_only_behind_a_trusted_proxy() {
    let app = TestApp::spawn().await;
    let limits = [
        ("RELAIS_LOGIN_MAX_PER_ACCOUNT", "100"),
        ("RELAIS_LOGIN_MAX_PER_ADDRESS", "2"),
        ("RELAIS_LOGIN_WINDOW_SECONDS", "60"),
    ];
    // Without trusted proxies, X-Forwarded-For is the caller's say-so: every attempt counts
    // against the peer, whatever address it claims.
    let open = Process::start(&app, &limits).await;
    for claimed in ["203.0.113.7", "203.0.113.8"] {
        assert_eq!(
            login(&app, &open.base, "a@relais.test", "faux", Some(claimed)).await,
            401
        );
    }
    assert_eq!(
        login(
            &app,
            &open.base,
            "b@relais.test",
            "faux",
            Some("198.51.100.9")
        )
        .await,
        429
    );
    drop(open);

    // Behind a trusted proxy (loopback here), the last untrusted address it recorded is the
    // client: each client has its own allowance.
    let mut trusting = limits.to_vec();
    trusting.push(("RELAIS_TRUSTED_PROXIES", "127.0.0.1/32, ::1"));
    let behind = Process::start(&app, &trusting).await;
    // The spoofed first hop is ignored: the proxy appended the real client last.
    let chain = "192.0.2.66, 203.0.113.7";
    for _ in 0..2 {
        assert_eq!(
            login(&app, &behind.base, "c@relais.test", "faux", Some(chain)).await,
            401
        );
    }
    assert_eq!(
        login(
            &app,
            &behind.base,
            "d@relais.test",
            "faux",
            Some("203.0.113.7")
        )
        .await,
        429
    );
    assert_eq!(
        login(
            &app,
            &behind.base,
            "d@relais.test",
            "faux",
            Some("198.51.100.9")
        )
        .await,
        401
    );
    // RFC 7239 says the same.
    let forwarded = app
        .client
        .post(format!("{}/api/v1/auth/token", behind.base))
        .header(
            "forwarded",
            "for=192.0.2.66, for=\"[2001:db8::17]:4711\";proto=https",
        )
        .json(&json!({"email": "e@relais.test", "password": "faux"}));
    for _ in 0..2 {
        let request = forwarded.try_clone().expect("a plain request");
        assert_eq!(request.send().await.expect("answered").status(), 401);
    }
    let third = forwarded.try_clone().expect("a plain request");
    assert_eq!(third.send().await.expect("answered").status(), 429);
}

#[actix_web::test]
async fn absolute_links_name_a_forwarded_host_only_from_a_trusted_proxy() {
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    app.event(&centre, "Journée zones humides", 12, json!({}))
        .await;
    let calendar = |base: String| {
        let client = app.client.clone();
        async move {
            client
                .get(format!("{base}/api/v1/events.ics"))
                .header("x-forwarded-host", "relais.pirate.example")
                .header("x-forwarded-proto", "https")
                .send()
                .await
                .expect("answered")
                .text()
                .await
                .expect("read")
        }
    };
    let open = Process::start(&app, &[]).await;
    let text = calendar(open.base.clone()).await;
    assert!(!text.contains("pirate"), "{text}");
    assert!(text.contains(&open.base), "{text}");
    let behind = Process::start(&app, &[("RELAIS_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let text = calendar(behind.base.clone()).await;
    assert!(text.contains("https://relais.pirate.example/"), "{text}");
}
