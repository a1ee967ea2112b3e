//! The audit trail: one entry per write, in the write's transaction, with the fields changed;
//! none for a write refused or rolled back; read by administrators only, and never changed.

use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::helpers::{As, Method, TestApp};

fn change<'a>(entry: &'a Value, field: &str) -> Option<&'a Value> {
    entry["changes"]
        .as_array()
        .and_then(|changes| changes.iter().find(|c| c["field"] == field))
}

#[actix_web::test]
async fn every_write_leaves_one_entry_with_its_changes_and_a_refused_one_none() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    let event = app
        .event(
            &centre,
            "Journée technique « mares »",
            12,
            json!({"capacity": 20}),
        )
        .await;
    let id = event["id"].as_str().expect("id");
    let path = format!("/api/v1/events/{id}");
    let trail = |query: String| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/audit?{query}"), As::Admin)
                .await
                .expect(200)
        }
    };

    let created = trail(format!("item={id}")).await;
    assert_eq!(created["meta"]["total"], 1);
    let entry = &created["data"][0];
    assert_eq!(
        (
            entry["collection"].as_str(),
            entry["action"].as_str(),
            entry["role"].as_str()
        ),
        (Some("events"), Some("create"), Some("admin"))
    );
    assert_eq!(
        change(entry, "title").map(|c| &c["new"]),
        Some(&json!("Journée technique « mares »"))
    );
    assert_eq!(
        change(entry, "title").map(|c| &c["old"]),
        Some(&Value::Null)
    );

    // A patch: only what changed, old and new.
    app.patch(&path, &json!({"capacity": 30}), As::Admin)
        .await
        .expect(200);
    let patched = trail(format!("item={id}&action=update")).await;
    let fields: Vec<&str> = patched["data"][0]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"capacity")
            && !fields.contains(&"title")
            && !fields.contains(&"updated_at"),
        "{fields:?}"
    );
    assert_eq!(
        change(&patched["data"][0], "capacity").map(|c| (&c["old"], &c["new"])),
        Some((&json!(20), &json!(30)))
    );

    // Refused writes leave nothing: a 422, a 412, a 409 rolled back in their transaction.
    assert_eq!(
        app.patch(
            &path,
            &json!({"ends_at": "2020-01-01T00:00:00Z"}),
            As::Admin
        )
        .await
        .status,
        422
    );
    let stale = app
        .request(Method::PATCH, &path, As::Admin)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", "\"ancien\"")
        .body("{\"capacity\": 40}");
    assert_eq!(app.send(stale).await.status, 412);
    let duplicate = app.post("/api/v1/events", &json!({"slug": event["slug"], "title": "Doublon", "kind": "journee_technique", "format": "in_person", "centre_id": centre["id"], "starts_at": "2027-03-12T09:30:00+01:00", "ends_at": "2027-03-12T17:00:00+01:00", "status": "published"}), As::Admin).await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(trail(format!("item={id}")).await["meta"]["total"], 2);
    assert_eq!(trail("collection=events".into()).await["meta"]["total"], 2);

    // A registration, written by a SQL function, is followed too, by its member.
    let registered = app
        .post(&format!("{path}/registrations"), &json!({}), As::Member)
        .await
        .expect(201);
    let registration = trail(format!("item={}", registered["id"].as_str().expect("id"))).await;
    assert_eq!(registration["data"][0]["role"], "member");
    assert_eq!(
        registration["data"][0]["user_id"],
        app.member_id().to_string()
    );
    assert_eq!(
        change(&registration["data"][0], "status").map(|c| &c["new"]),
        Some(&json!("confirmed"))
    );
    let by_member = trail(format!("user={}", app.member_id())).await;
    assert_eq!(by_member["meta"]["total"], 1);

    // A deletion records what the item was.
    assert_eq!(app.delete(&path, As::Admin).await.status, 204);
    let deleted = trail(format!("item={id}&action=delete")).await;
    assert_eq!(
        change(&deleted["data"][0], "title").map(|c| &c["old"]),
        Some(&json!("Journée technique « mares »"))
    );

    // Periods and cursors, newest first by default.
    let everything = trail("per_page=2".into()).await;
    let next = everything["meta"]["next_cursor"]
        .as_str()
        .expect("a next page");
    let second = trail(format!("per_page=2&cursor={next}")).await;
    assert!(second["data"][0]["at"].as_str() <= everything["data"][1]["at"].as_str());
    let at = everything["data"][0]["at"].as_str().expect("at");
    let until = trail(format!("to={}", at.replace('+', "%2B"))).await;
    assert!(until["meta"]["total"].as_i64() < everything["meta"]["total"].as_i64());
    assert_eq!(
        app.get("/api/v1/audit?action=voler", As::Admin)
            .await
            .status,
        400
    );
}

#[actix_web::test]
async fn secrets_are_named_without_values_and_the_trail_cannot_be_changed() {
    let app = TestApp::spawn().await;
    let changed = app.send(app.request(Method::POST, "/api/v1/me/password", As::Member).json(&json!({
        "current_password": crate::helpers::PASSWORD, "new_password": "un-nouveau-mot-de-passe-solide",
    }))).await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    let entries = app
        .get(
            &format!("/api/v1/audit?collection=users&item={}", app.member_id()),
            As::Admin,
        )
        .await
        .expect(200);
    let entry = &entries["data"][0];
    assert_eq!(entry["changes"], json!([{"field": "password"}]));
    assert!(
        !entries
            .to_string()
            .contains("un-nouveau-mot-de-passe-solide")
    );

    // Administrators only; no operation changes or deletes an entry.
    assert_eq!(app.get("/api/v1/audit", As::Member).await.status, 403);
    assert_eq!(app.get("/api/v1/audit", As::Public).await.status, 401);
    assert_eq!(app.delete("/api/v1/audit", As::Admin).await.status, 405);
    // Nor can anyone connected to the database.
    let mut conn = app.db().await;
    for statement in [
        "DELETE FROM audit_entries",
        "UPDATE audit_entries SET action = 'rien'",
    ] {
        let refused = diesel::sql_query(statement).execute(&mut conn).await;
        assert!(
            refused.is_err_and(|e| e.to_string().contains("append-only")),
            "{statement}"
        );
    }
}
