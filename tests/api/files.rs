//! Documents' files: types read from the content, stored atomically with their SHA-256, served
//! with ranges to whoever may see the document; on a folder and on S3 (moto's server), shared
//! by two server processes.

use serde_json::json;
use sha2::{Digest, Sha256};
use std::process::{Child, Command, Stdio};

use crate::contributions::PDF;
use crate::helpers::{As, FILE_MAX_BYTES, Method, Process, Reply, TestApp, available};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

async fn put_file(
    app: &TestApp,
    base: &str,
    path: &str,
    bytes: Vec<u8>,
    declared: &str,
    name: Option<&str>,
) -> Reply {
    let mut request = app
        .client
        .put(format!("{base}{path}/file"))
        .bearer_auth(app.token(As::Admin).expect("admin token"))
        .header("content-type", declared)
        .body(bytes);
    if let Some(name) = name {
        request = request.header("content-disposition", name);
    }
    app.send(request).await
}

async fn document(app: &TestApp, name: &str, audience: &str) -> String {
    let centre = app.centre(&format!("centre-{name}")).await;
    let document = app
        .create(
            "documents",
            json!({
                "title": format!("Compte rendu du Jeudi ({name})"), "kind": "compte_rendu",
                "centre_id": centre["id"], "status": "published", "audience": audience,
            }),
        )
        .await;
    format!("/api/v1/documents/{}", document["id"].as_str().expect("id"))
}

/// A response whose body is bytes.
struct Raw {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn raw(request: reqwest::RequestBuilder) -> Raw {
    let response = request.send().await.expect("send the request");
    Raw {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        bytes: response.bytes().await.expect("read the body").to_vec(),
    }
}

/// A minimal Office Open XML document, its parts in the order Word writes them, as Python's
/// zipfile writes it.
fn docx() -> Vec<u8> {
    let script = "import io, sys, zipfile\n\
        b = io.BytesIO()\n\
        with zipfile.ZipFile(b, 'w') as z:\n\
        \x20   z.writestr('[Content_Types].xml', '<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>')\n\
        \x20   z.writestr('_rels/.rels', '<Relationships/>')\n\
        \x20   z.writestr('word/_rels/document.xml.rels', '<Relationships/>')\n\
        \x20   z.writestr('word/document.xml', '<w:document/>')\n\
        sys.stdout.buffer.write(b.getvalue())\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .output()
        .expect("python3 makes a docx");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[actix_web::test]
async fn types_come_from_the_content_and_a_failed_upload_keeps_the_file() {
    let app = TestApp::spawn().await;
    let path = document(&app, "public", "public").await;
    let base = app.base.clone();

    // Accepted from their first bytes, whatever their name or declared type.
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (PDF.to_vec(), "application/octet-stream", "application/pdf"),
        (PNG.to_vec(), "application/pdf", "image/png"),
        (
            docx(),
            "application/zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "commune;surface_ha\nSaint-Pons;12,5\n".as_bytes().to_vec(),
            "text/csv",
            "text/csv",
        ),
        (
            "Relevé de la mare : tritons palmés, 12 individus.\n"
                .as_bytes()
                .to_vec(),
            "application/pdf",
            "text/plain",
        ),
    ];
    for (bytes, declared, stored) in cases {
        let reply = put_file(&app, &base, &path, bytes.clone(), declared, None).await;
        assert_eq!(reply.status, 200, "{stored}: {}", reply.body);
        assert_eq!(reply.body["file"]["media_type"], stored);
        assert_eq!(reply.body["file"]["sha256"], sha256(&bytes));
        assert_eq!(reply.body["file"]["size"], bytes.len());
    }

    // The file in place now, which every refused upload below must leave.
    let named = "attachment; filename=\"compte-rendu.pdf\"; filename*=UTF-8''Compte%20rendu%20%C2%AB%20zones%20humides%20%C2%BB.pdf";
    let kept = put_file(
        &app,
        &base,
        &path,
        PDF.to_vec(),
        "application/pdf",
        Some(named),
    )
    .await
    .expect(200);
    assert_eq!(kept["file"]["name"], "Compte rendu « zones humides ».pdf");
    let executable = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".repeat(8);
    let refused = put_file(
        &app,
        &base,
        &path,
        executable,
        "application/pdf",
        Some("attachment; filename=\"rapport.pdf\""),
    )
    .await;
    assert_eq!(refused.status, 415, "{}", refused.body);
    assert_eq!(
        refused.header("content-type"),
        Some("application/problem+json")
    );
    let binary = [b"texte puis binaire ".as_slice(), &[0u8, 1, 2, 3]].concat();
    assert_eq!(
        put_file(&app, &base, &path, binary, "text/plain", None)
            .await
            .status,
        415
    );
    assert_eq!(
        put_file(&app, &base, &path, Vec::new(), "application/pdf", None)
            .await
            .status,
        400
    );
    let mut too_large = PDF.to_vec();
    too_large.resize(FILE_MAX_BYTES as usize + 1, b' ');
    assert_eq!(
        put_file(&app, &base, &path, too_large, "application/pdf", None)
            .await
            .status,
        413
    );
    let current = app.get(&path, As::Admin).await.expect(200);
    assert_eq!(
        current["file"], kept["file"],
        "a refused upload leaves the file in place"
    );
    let download = app.get(&format!("{path}/file"), As::Public).await;
    assert_eq!(download.status, 200);
    let disposition = download
        .header("content-disposition")
        .expect("Content-Disposition");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition
            .contains("filename*=UTF-8''Compte%20rendu%20%C2%AB%20zones%20humides%20%C2%BB.pdf"),
        "{disposition}"
    );
    // Only the file's own object remains in the store: the refused ones were never kept.
    let folder = std::fs::read_dir(std::env::temp_dir().join(format!(
        "relais-files-{}/documents/{}",
        app.database_url.rsplit('/').next().expect("a database name"),
        current["id"].as_str().expect("id"),
    )))
    .expect("the document's folder")
    .count();
    assert_eq!(folder, 1);

    // Files are the administrators' and the authors': 401, 403.
    let anonymous = app
        .client
        .put(format!("{base}{path}/file"))
        .body(PDF.to_vec());
    assert_eq!(app.send(anonymous).await.status, 401);
    let member = app
        .request(Method::PUT, &format!("{path}/file"), As::Member)
        .body(PDF.to_vec());
    assert_eq!(app.send(member).await.status, 403);
}

#[actix_web::test]
async fn downloads_have_the_sha256_as_etag_ranges_and_the_documents_visibility() {
    let app = TestApp::spawn().await;
    let path = document(&app, "public", "public").await;
    let content: Vec<u8> = [PDF, &b"0123456789".repeat(100)].concat();
    put_file(
        &app,
        &app.base,
        &path,
        content.clone(),
        "application/pdf",
        None,
    )
    .await
    .expect(200);
    let file = format!("{path}/file");

    let whole = raw(app.request(Method::GET, &file, As::Public)).await;
    let etag = format!("\"{}\"", sha256(&content));
    assert_eq!(whole.header("etag"), Some(etag.as_str()));
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    assert_eq!(
        whole.header("content-length"),
        Some(content.len().to_string().as_str())
    );
    assert_eq!(whole.bytes, content);
    let cached = app
        .request(Method::GET, &file, As::Public)
        .header("if-none-match", &etag);
    assert_eq!(app.send(cached).await.status, 304);

    // One range: 206 with its Content-Range; a suffix; past the end: 416.
    let first = raw(app
        .request(Method::GET, &file, As::Public)
        .header("range", "bytes=0-7"))
    .await;
    assert_eq!(first.status, 206);
    assert_eq!(
        first.header("content-range"),
        Some(format!("bytes 0-7/{}", content.len()).as_str())
    );
    assert_eq!(first.bytes, b"%PDF-1.7");
    let last = raw(app
        .request(Method::GET, &file, As::Public)
        .header("range", "bytes=-4"))
    .await;
    assert_eq!(last.status, 206);
    assert_eq!(last.bytes, b"6789");
    let beyond = app
        .send(
            app.request(Method::GET, &file, As::Public)
                .header("range", format!("bytes={}-", content.len())),
        )
        .await;
    assert_eq!(beyond.status, 416);
    assert_eq!(
        beyond.header("content-range"),
        Some(format!("bytes */{}", content.len()).as_str())
    );
    // An If-Range for another version serves the whole file.
    let stale = app
        .request(Method::GET, &file, As::Public)
        .header("range", "bytes=0-7")
        .header("if-range", "\"ancienne\"");
    assert_eq!(app.send(stale).await.status, 200);

    // A members' document's file is no one else's: 404, as the document.
    let reserved = document(&app, "membres", "members").await;
    put_file(
        &app,
        &app.base,
        &reserved,
        PDF.to_vec(),
        "application/pdf",
        None,
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(&format!("{reserved}/file"), As::Public)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("{reserved}/file"), As::Member)
            .await
            .status,
        200
    );
    // No file: 404; removed: 204, then 404.
    let bare = document(&app, "sans-fichier", "public").await;
    assert_eq!(
        app.get(&format!("{bare}/file"), As::Admin).await.status,
        404
    );
    assert_eq!(app.delete(&file, As::Admin).await.status, 204);
    assert_eq!(app.get(&file, As::Public).await.status, 404);
    assert!(app.get(&path, As::Admin).await.expect(200)["file"].is_null());
}

/// moto's S3 server on a free loopback port, stopped when dropped.
struct S3 {
    child: Child,
    endpoint: String,
}

impl S3 {
    async fn start(app: &TestApp) -> S3 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("its address")
            .port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server (pip install 'moto[server]') starts");
        let s3 = S3 {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..200 {
            // Creating the bucket is also the readiness check.
            if let Ok(reply) = app
                .client
                .put(format!("{}/relais-fichiers", s3.endpoint))
                .send()
                .await
                && reply.status().is_success()
            {
                return s3;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("moto_server did not get ready");
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[actix_web::test]
async fn on_s3_two_servers_share_the_files() {
    if !available("moto_server", "pip install 'moto[server]'") {
        return;
    }
    let app = TestApp::spawn().await;
    let path = document(&app, "public", "public").await;
    let s3 = S3::start(&app).await;
    let env = [
        ("RELAIS_FILES_BUCKET", "relais-fichiers"),
        ("AWS_ENDPOINT", s3.endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_DEFAULT_REGION", "eu-west-3"),
        ("RELAIS_FILE_MAX_BYTES", "20000000"),
    ];
    let servers = [
        Process::start(&app, &env).await,
        Process::start(&app, &env).await,
    ];

    // A file of 12 MB goes up in parts, through the first server…
    let mut content = PDF.to_vec();
    content.extend((0..12_000_000u32).map(|i| (i % 251) as u8));
    let uploaded = put_file(
        &app,
        &servers[0].base,
        &path,
        content.clone(),
        "application/pdf",
        None,
    )
    .await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    assert_eq!(uploaded.body["file"]["sha256"], sha256(&content));

    // …and comes down whole, and by ranges, from the second.
    let download = app
        .client
        .get(format!("{}{path}/file", servers[1].base))
        .send()
        .await
        .expect("download");
    assert_eq!(download.status(), 200);
    let body = download.bytes().await.expect("the bytes");
    assert_eq!(sha256(&body), sha256(&content));
    let range = app
        .client
        .get(format!("{}{path}/file", servers[1].base))
        .header("range", "bytes=10000000-10000009")
        .send()
        .await
        .expect("a range");
    assert_eq!(range.status(), 206);
    assert_eq!(
        range.bytes().await.expect("the range").as_ref(),
        &content[10_000_000..10_000_010]
    );

    // A replacement through the second server removes the first object from the bucket.
    put_file(
        &app,
        &servers[1].base,
        &path,
        PNG.to_vec(),
        "image/png",
        None,
    )
    .await
    .expect(200);
    let listing = app
        .client
        .get(format!("{}/relais-fichiers?list-type=2", s3.endpoint))
        .send()
        .await
        .expect("a listing");
    let listing = listing.text().await.expect("its XML");
    assert_eq!(listing.matches("<Key>").count(), 1, "{listing}");
    let image = app
        .client
        .get(format!("{}{path}/file", servers[0].base))
        .send()
        .await
        .expect("download");
    assert_eq!(
        image
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert_eq!(image.bytes().await.expect("the bytes").as_ref(), PNG);
}
