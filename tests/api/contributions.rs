//! Contributions and their moderation: a member's document is seen by its authors and
//! administrators only until it is published; decisions go through explicit operations; every
//! transition that is not allowed is refused, and says why.

use serde_json::{Value, json};

use crate::helpers::{Account, As, Method, Reply, TestApp, merge};

/// A small PDF: what its first bytes say is all that counts.
pub const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\
    trailer\n<< /Root 1 0 R >>\n%%EOF\n";

pub async fn send_as(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = app.request_with(method.clone(), path, token);
    if let Some(body) = body {
        request = match method {
            Method::PATCH => request
                .header("content-type", "application/merge-patch+json")
                .body(body.to_string()),
            _ => request.json(&body),
        };
    }
    app.send(request).await
}

/// A compte rendu as a member writes it, naming `co_author` among its authors.
fn compte_rendu(centre: &Value, co_author: &Account) -> Value {
    json!({
        "title": "Compte rendu du Jeudi « zones humides et agriculture »",
        "summary": "Échanges entre techniciens de rivière et exploitants sur les prairies humides.",
        "kind": "compte_rendu",
        "centre_id": centre["id"],
        "author_ids": [co_author.actor_id],
    })
}

async fn upload(app: &TestApp, token: &str, path: &str, bytes: &[u8], name: &str) -> Reply {
    let request = app
        .request_with(Method::PUT, &format!("{path}/file"), token)
        .header("content-type", "application/pdf")
        .header(
            "content-disposition",
            format!("attachment; filename*=UTF-8''{}", urlencode(name)),
        )
        .body(bytes.to_vec());
    app.send(request).await
}

fn urlencode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[actix_web::test]
async fn a_compte_rendu_goes_from_a_member_through_moderation_to_the_public() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    let accounts = app.members("reseau", 3).await;
    let (author, co_author, stranger) = (&accounts[0], &accounts[1], &accounts[2]);

    // The member submits a compte rendu (submitted by default) and attaches its PDF.
    let created = send_as(
        &app,
        &author.token,
        Method::POST,
        "/api/v1/documents",
        Some(compte_rendu(&centre, co_author)),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let document = created.body;
    assert_eq!(document["status"], "submitted");
    assert_eq!(document["submitted_by"], author.id.to_string());
    assert!(document["submitted_at"].is_string());
    let path = format!("/api/v1/documents/{}", document["id"].as_str().expect("id"));
    let uploaded = upload(
        &app,
        &author.token,
        &path,
        PDF,
        "Compte rendu – Jeudi zones humides.pdf",
    )
    .await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    assert_eq!(uploaded.body["file"]["media_type"], "application/pdf");

    // Seen by its authors and administrators only: 404 to the public, other members and lists.
    assert_eq!(app.get(&path, As::Public).await.status, 404);
    assert_eq!(
        app.get(&format!("{path}/file"), As::Public).await.status,
        404
    );
    assert_eq!(
        send_as(&app, &stranger.token, Method::GET, &path, None)
            .await
            .status,
        404
    );
    let strangers_patch = send_as(
        &app,
        &stranger.token,
        Method::PATCH,
        &path,
        Some(json!({"summary": "Piraté"})),
    )
    .await;
    assert_eq!(strangers_patch.status, 404);
    assert_eq!(
        send_as(&app, &co_author.token, Method::GET, &path, None)
            .await
            .status,
        200
    );
    assert_eq!(app.get(&path, As::Admin).await.status, 200);
    let public_list = app.get("/api/v1/documents", As::Public).await.expect(200);
    assert_eq!(public_list["meta"]["total"], 0);
    // The other member does not even learn who submitted it, when it becomes public.
    let mine = send_as(
        &app,
        &author.token,
        Method::GET,
        "/api/v1/me/contributions",
        None,
    )
    .await;
    assert_eq!(mine.body["meta"]["total"], 1, "{}", mine.body);
    let co_authored = send_as(
        &app,
        &co_author.token,
        Method::GET,
        "/api/v1/me/contributions",
        None,
    )
    .await;
    assert_eq!(co_authored.body["data"][0]["id"], document["id"]);
    let none = send_as(
        &app,
        &stranger.token,
        Method::GET,
        "/api/v1/me/contributions",
        None,
    )
    .await;
    assert_eq!(none.body["meta"]["total"], 0);

    // The administrators' queue, oldest first.
    let later = send_as(
        &app,
        &stranger.token,
        Method::POST,
        "/api/v1/documents",
        Some(json!({
            "title": "Retour d'expérience : restauration d'une mare communale",
            "kind": "retour_experience", "centre_id": centre["id"],
        })),
    )
    .await
    .expect(201);
    let queue = app
        .get("/api/v1/contributions?status=submitted", As::Admin)
        .await
        .expect(200);
    let ids: Vec<&Value> = queue["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|d| &d["id"])
        .collect();
    assert_eq!(ids, vec![&document["id"], &later["id"]]);
    assert_eq!(
        app.get("/api/v1/contributions", As::Member).await.status,
        403
    );

    // Rejected with a reason, which its authors read on the document.
    let no_reason = app
        .post(
            &format!("{path}/rejection"),
            &json!({"reason": ""}),
            As::Admin,
        )
        .await;
    assert_eq!(no_reason.status, 422);
    let rejected = app
        .post(
            &format!("{path}/rejection"),
            &json!({"reason": "Merci d'ajouter les références du protocole de suivi."}),
            As::Admin,
        )
        .await
        .expect(200);
    assert_eq!(rejected["status"], "rejected");
    let seen = send_as(&app, &author.token, Method::GET, &path, None).await;
    assert_eq!(
        seen.body["rejection_reason"],
        "Merci d'ajouter les références du protocole de suivi."
    );
    assert!(seen.body["decided_at"].is_string());

    // Its co-author edits it: that submits it again.
    let edited = send_as(
        &app,
        &co_author.token,
        Method::PATCH,
        &path,
        Some(json!({
            "summary": "Échanges sur les prairies humides ; protocole de suivi : Rhoméo, 2024.",
        })),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["status"], "submitted");
    assert_eq!(
        edited.body["submitted_by"],
        Value::Null,
        "the co-author does not see who submitted it"
    );

    // Published: the public reads it and downloads its file.
    let published = app
        .post(&format!("{path}/publication"), &json!({}), As::Admin)
        .await
        .expect(200);
    assert_eq!(published["status"], "published");
    assert!(published["published_on"].is_string());
    let public = app.get(&path, As::Public).await.expect(200);
    assert_eq!(public["submitted_by"], Value::Null);
    let file = app.get(&format!("{path}/file"), As::Public).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), Some("application/pdf"));

    // Once published, its authors no longer change it, nor its file.
    let late = send_as(
        &app,
        &author.token,
        Method::PATCH,
        &path,
        Some(json!({"title": "Autre titre"})),
    )
    .await;
    assert_eq!(late.status, 409);
    assert_eq!(late.body["type"], "urn:relais:problem:not-editable");
    assert!(
        late.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("published"))
    );
    assert_eq!(
        upload(&app, &author.token, &path, PDF, "v2.pdf")
            .await
            .status,
        409
    );

    // The audit trail holds all of it, in order, with who did what.
    let trail = app
        .get(
            &format!(
                "/api/v1/audit?item={}&sort=at",
                document["id"].as_str().expect("id")
            ),
            As::Admin,
        )
        .await
        .expect(200);
    let steps: Vec<(&str, &str)> = trail["data"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default(),
                e["role"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("create", "member"),
            ("upload", "member"),
            ("reject", "admin"),
            ("update", "member"),
            ("publish", "admin"),
        ]
    );
    let rejection = &trail["data"][2]["changes"];
    assert!(
        rejection
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["field"] == "status" && c["old"] == "submitted" && c["new"] == "rejected"),
        "{rejection}"
    );
}

#[actix_web::test]
async fn transitions_that_are_not_allowed_are_refused_with_the_current_status() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    let accounts = app.members("regle", 1).await;
    let member = &accounts[0];
    let body = |status: &str| json!({"title": format!("Note {status}"), "kind": "note_technique", "centre_id": centre["id"], "status": status});

    // A member keeps a draft or submits; publishing is an administrator's decision.
    for status in ["published", "archived", "rejected"] {
        let refused = send_as(
            &app,
            &member.token,
            Method::POST,
            "/api/v1/documents",
            Some(body(status)),
        )
        .await;
        assert_eq!(refused.status, 403, "{status}: {}", refused.body);
    }
    assert_eq!(
        app.post("/api/v1/documents", &body("draft"), As::Public)
            .await
            .status,
        401
    );
    let draft = send_as(
        &app,
        &member.token,
        Method::POST,
        "/api/v1/documents",
        Some(body("draft")),
    )
    .await
    .expect(201);
    assert!(draft["submitted_at"].is_null());
    let path = format!("/api/v1/documents/{}", draft["id"].as_str().expect("id"));
    let self_published = send_as(
        &app,
        &member.token,
        Method::PATCH,
        &path,
        Some(json!({"status": "published"})),
    )
    .await;
    assert_eq!(self_published.status, 403);

    // Only a submitted document is published or rejected: 409 naming the status.
    let early = app
        .post(&format!("{path}/publication"), &json!({}), As::Admin)
        .await;
    assert_eq!(early.status, 409);
    assert_eq!(early.body["type"], "urn:relais:problem:not-submitted");
    assert!(
        early.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("draft"))
    );
    let submitted = send_as(
        &app,
        &member.token,
        Method::PATCH,
        &path,
        Some(json!({"status": "submitted"})),
    )
    .await
    .expect(200);
    assert!(submitted["submitted_at"].is_string());

    // A status decided by moderation is never patched, even by an administrator.
    let patched = app
        .patch(&path, &json!({"status": "published"}), As::Admin)
        .await;
    assert_eq!(patched.status, 409);
    assert_eq!(patched.body["type"], "urn:relais:problem:moderated-status");
    assert!(
        patched.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("submitted"))
    );
    // Other fields are the administrator's to change.
    app.patch(&path, &json!({"licence": "Etalab-2.0"}), As::Admin)
        .await
        .expect(200);

    app.post(&format!("{path}/publication"), &json!({}), As::Admin)
        .await
        .expect(200);
    let twice = app
        .post(&format!("{path}/publication"), &json!({}), As::Admin)
        .await;
    assert_eq!(twice.status, 409);
    assert!(
        twice.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("published"))
    );
    let reject_published = app
        .post(
            &format!("{path}/rejection"),
            &json!({"reason": "Trop tard"}),
            As::Admin,
        )
        .await;
    assert_eq!(reject_published.status, 409);
    // Members never decide.
    let by_member = send_as(
        &app,
        &member.token,
        Method::POST,
        &format!("{path}/publication"),
        Some(json!({})),
    )
    .await;
    assert_eq!(by_member.status, 403);
    // An administrator's own document keeps its usual life.
    let own = app.create("documents", json!({"title": "Guide des mares", "kind": "guide", "centre_id": centre["id"], "status": "published"})).await;
    let own_path = format!("/api/v1/documents/{}", own["id"].as_str().expect("id"));
    let archived = app
        .patch(&own_path, &json!({"status": "archived"}), As::Admin)
        .await
        .expect(200);
    assert_eq!(archived["status"], "archived");
    // A member who is not among its authors cannot change a document it sees: 403.
    let foreign = app.create("documents", json!({"title": "Guide public", "kind": "guide", "centre_id": centre["id"], "status": "published"})).await;
    let foreign_patch = send_as(
        &app,
        &member.token,
        Method::PATCH,
        &format!("/api/v1/documents/{}", foreign["id"].as_str().expect("id")),
        Some(json!({"title": "Mien"})),
    )
    .await;
    assert_eq!(foreign_patch.status, 403);
}

/// A Jeudi as a member proposes it.
fn jeudi(centre: &Value) -> Value {
    json!({
        "title": "Jeudi du réseau : les haies bocagères",
        "summary": "Retours de terrain sur la replantation de haies en Bretagne.",
        "kind": "rencontre",
        "centre_id": centre["id"],
        "starts_at": "2027-04-08T14:00:00+02:00",
        "ends_at": "2027-04-08T16:00:00+02:00",
        "format": "online",
        "online_url": "https://visio.example.fr/jeudi-haies",
        "capacity": 2,
    })
}

#[actix_web::test]
async fn a_proposed_event_goes_through_moderation_before_it_takes_registrations() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    let accounts = app.members("jeudi", 2).await;
    let (proposer, stranger) = (&accounts[0], &accounts[1]);

    // A member proposes it: submitted, seen by its proposer and administrators only.
    let refused = send_as(
        &app,
        &proposer.token,
        Method::POST,
        "/api/v1/events",
        Some({
            let mut body = jeudi(&centre);
            merge(&mut body, json!({"status": "published"}));
            body
        }),
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let created = send_as(
        &app,
        &proposer.token,
        Method::POST,
        "/api/v1/events",
        Some(jeudi(&centre)),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let event = created.body;
    assert_eq!(event["status"], "submitted");
    assert_eq!(event["submitted_by"], proposer.id.to_string());
    let id = event["id"].as_str().expect("id");
    let path = format!("/api/v1/events/{id}");
    assert_eq!(app.get(&path, As::Public).await.status, 404);
    assert_eq!(
        send_as(&app, &stranger.token, Method::GET, &path, None)
            .await
            .status,
        404
    );
    assert_eq!(
        send_as(&app, &proposer.token, Method::GET, &path, None)
            .await
            .status,
        200
    );
    let listed = app.get("/api/v1/events", As::Member).await.expect(200);
    assert_eq!(listed["meta"]["total"], 0);
    // Not open to registration, not even for its proposer.
    let early = send_as(
        &app,
        &proposer.token,
        Method::POST,
        &format!("{path}/registrations"),
        None,
    )
    .await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert_eq!(early.body["type"], "urn:relais:problem:draft");

    // Its proposer's contributions and the administrators' queue list it with the documents.
    let document = send_as(
        &app,
        &proposer.token,
        Method::POST,
        "/api/v1/documents",
        Some(json!({"title": "Note sur les haies", "kind": "note_technique", "centre_id": centre["id"]})),
    )
    .await
    .expect(201);
    let mine = send_as(
        &app,
        &proposer.token,
        Method::GET,
        "/api/v1/me/contributions?facets=collection",
        None,
    )
    .await
    .expect(200);
    let listed: Vec<(&str, &str, &str)> = mine["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|c| {
            (
                c["collection"].as_str().unwrap_or_default(),
                c["status"].as_str().unwrap_or_default(),
                c["location"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    let document_path = format!("/api/v1/documents/{}", document["id"].as_str().expect("id"));
    assert_eq!(
        listed,
        vec![
            ("events", "submitted", path.as_str()),
            ("documents", "submitted", document_path.as_str()),
        ]
    );
    assert_eq!(
        mine["meta"]["facets"]["collection"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let events_only = send_as(
        &app,
        &proposer.token,
        Method::GET,
        "/api/v1/me/contributions?collection=events",
        None,
    )
    .await
    .expect(200);
    assert_eq!(events_only["meta"]["total"], 1);
    let theirs = send_as(
        &app,
        &stranger.token,
        Method::GET,
        "/api/v1/me/contributions",
        None,
    )
    .await
    .expect(200);
    assert_eq!(theirs["meta"]["total"], 0);
    let queue = app
        .get(
            "/api/v1/contributions?status=submitted&collection=events",
            As::Admin,
        )
        .await
        .expect(200);
    assert_eq!(queue["data"][0]["id"], event["id"]);
    assert_eq!(queue["data"][0]["submitted_by"], proposer.id.to_string());

    // A status patch never decides, even an administrator's; rejected with a reason instead.
    let patched = app
        .patch(&path, &json!({"status": "published"}), As::Admin)
        .await;
    assert_eq!(patched.status, 409);
    assert_eq!(patched.body["type"], "urn:relais:problem:moderated-status");
    let rejected = app
        .post(
            &format!("{path}/rejection"),
            &json!({"reason": "Merci de préciser le programme de la séance."}),
            As::Admin,
        )
        .await
        .expect(200);
    assert_eq!(rejected["status"], "rejected");
    let seen = send_as(
        &app,
        &proposer.token,
        Method::GET,
        "/api/v1/me/contributions?collection=events",
        None,
    )
    .await
    .expect(200);
    assert_eq!(
        seen["data"][0]["rejection_reason"],
        "Merci de préciser le programme de la séance."
    );
    let strangers_patch = send_as(
        &app,
        &stranger.token,
        Method::PATCH,
        &path,
        Some(json!({"summary": "Piraté"})),
    )
    .await;
    assert_eq!(strangers_patch.status, 404);

    // Its proposer edits it, which submits it again; an administrator publishes it.
    let edited = send_as(
        &app,
        &proposer.token,
        Method::PATCH,
        &path,
        Some(
            json!({"body": "14 h : accueil ; 14 h 15 : retours de terrain ; 15 h 30 : échanges."}),
        ),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["status"], "submitted");
    let published = app
        .post(&format!("{path}/publication"), &json!({}), As::Admin)
        .await
        .expect(200);
    assert_eq!(published["status"], "published");
    assert!(published["decided_at"].is_string());
    assert_eq!(published["rejection_reason"], Value::Null);
    let public = app.get(&path, As::Public).await.expect(200);
    assert_eq!(public["submitted_by"], Value::Null);
    assert_eq!(
        app.get("/api/v1/events", As::Public).await.expect(200)["meta"]["total"],
        1
    );

    // Published, it takes registrations, and its proposer no longer changes it.
    let registered = send_as(
        &app,
        &stranger.token,
        Method::POST,
        &format!("{path}/registrations"),
        None,
    )
    .await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    let late = send_as(
        &app,
        &proposer.token,
        Method::PATCH,
        &path,
        Some(json!({"capacity": 200})),
    )
    .await;
    assert_eq!(late.status, 409);
    assert_eq!(late.body["type"], "urn:relais:problem:not-editable");
    let twice = app
        .post(&format!("{path}/publication"), &json!({}), As::Admin)
        .await;
    assert_eq!(twice.status, 409);
    assert_eq!(twice.body["type"], "urn:relais:problem:not-submitted");

    // The audit trail holds the proposal's whole life.
    let trail = app
        .get(&format!("/api/v1/audit?item={id}&sort=at"), As::Admin)
        .await
        .expect(200);
    let steps: Vec<(&str, &str)> = trail["data"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default(),
                e["role"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("create", "member"),
            ("reject", "admin"),
            ("update", "member"),
            ("publish", "admin"),
        ]
    );
}
