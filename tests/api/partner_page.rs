//! The partner page of `examples/partner-embed/`, served from another origin, lists a centre's
//! upcoming public events and latest documents in a real browser (Debian's Chromium, driven by
//! Playwright); its screenshot is kept in `target/partner-embed.png`.

use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::{TestApp, available};

/// A static file server for the example, on a port (an origin) of its own.
struct StaticSite {
    child: Child,
    base: String,
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn serve_example() -> StaticSite {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("a free port")
        .port();
    let child = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "-d",
        ])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/partner-embed"
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m http.server");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    StaticSite {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

#[actix_web::test]
async fn a_partner_page_on_another_origin_lists_the_centres_events_and_documents() {
    let browser = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser");
    if !available("chromium", "apt-get install chromium")
        || !available(
            &format!("{browser}/node_modules/playwright"),
            "cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci",
        )
    {
        return;
    }
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais-zones-humides").await;
    let other = app.centre("autre-pole").await;
    app.event(
        &centre,
        "Journée technique « mares et bocages »",
        12,
        json!({"city": "Saint-Pons-de-Thomières"}),
    )
    .await;
    app.event(
        &centre,
        "Atelier réservé",
        14,
        json!({"audience": "members"}),
    )
    .await;
    app.event(&other, "Colloque d'ailleurs", 15, json!({}))
        .await;
    app.create(
        "documents",
        json!({"title": "Guide de gestion des mares", "kind": "guide", "centre_id": centre["id"],
               "status": "published", "published_on": "2026-10-01",
               "summary": "Diagnostic, restauration et suivi."}),
    )
    .await;
    let site = serve_example().await;
    let page = format!(
        "{}/?api={}&centre=pole-relais-zones-humides",
        site.base, app.base
    );
    let screenshot = concat!(env!("CARGO_MANIFEST_DIR"), "/target/partner-embed.png");
    let output = Command::new("node")
        .args(["partner-page.mjs", &page, screenshot])
        .current_dir(browser)
        .output()
        .expect("node");
    assert!(
        output.status.success(),
        "the browser run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rendered: Value = serde_json::from_slice(&output.stdout).expect("what the page rendered");
    assert_eq!(rendered["errors"], json!([]), "{rendered}");
    assert_eq!(rendered["status"], "À jour.");
    let events = rendered["events"].as_array().expect("events");
    assert_eq!(
        events.len(),
        1,
        "the centre's public upcoming events: {rendered}"
    );
    let event = events[0].as_str().unwrap_or_default();
    assert!(
        event.contains("Journée technique « mares et bocages »")
            && event.contains("vendredi 12 mars 2027")
            && event.contains("Saint-Pons-de-Thomières"),
        "{event}"
    );
    assert_eq!(
        rendered["documents"],
        json!(["Guide de gestion des mares : Diagnostic, restauration et suivi."])
    );
    assert!(std::fs::metadata(screenshot).is_ok_and(|m| m.len() > 1000));
}
