//! The role-visibility rule is written once: `relais::query::visibility::sees`. The condition
//! lists filter on and the SQL function the tombstone triggers use (`relais_seen_by`) must
//! say the same for every status, audience and role.

use crate::helpers::TestApp;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use relais::auth::Role;
use relais::query::sql::{Bind, Sql};
use relais::query::visibility::{Publicity, condition_on_t, sees};
use relais::resources::documents::model::DocumentStatus;
use relais::resources::values::{Audience, PublicationStatus};

#[derive(diesel::QueryableByName)]
struct Seen {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    by_function: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    by_condition: bool,
}

#[actix_web::test]
async fn the_rule_the_lists_and_the_tombstones_agree() {
    let app = TestApp::spawn().await;
    let mut conn = AsyncPgConnection::establish(&app.database_url)
        .await
        .expect("connect");
    let statuses: Vec<&str> = [
        PublicationStatus::Draft,
        PublicationStatus::Published,
        PublicationStatus::Cancelled,
    ]
    .map(PublicationStatus::as_str)
    .into_iter()
    .chain(
        [
            DocumentStatus::Draft,
            DocumentStatus::Submitted,
            DocumentStatus::Published,
            DocumentStatus::Rejected,
            DocumentStatus::Archived,
        ]
        .map(DocumentStatus::as_str),
    )
    .collect();
    let mut checked = 0;
    for role in [Role::Public, Role::Member, Role::Admin] {
        for status in &statuses {
            for audience in [Audience::Public, Audience::Members] {
                let mut sql = Sql::from("SELECT ");
                sql.bind(Bind::Text(role.as_str().into()))
                    .push(" = ANY (relais_seen_by(t.status, t.audience)) AS by_function, EXISTS (SELECT 1 WHERE ")
                    .append(&condition_on_t(role))
                    .push(") AS by_condition FROM (SELECT ")
                    .bind(Bind::Text(status.to_string()))
                    .push("::text AS status, ")
                    .bind(Bind::Text(audience.as_str().into()))
                    .push("::text AS audience) t");
                let seen: Seen = sql.get_result(&mut conn).await.expect("query");
                let publicity = Publicity {
                    published: *status == "published",
                    public: audience == Audience::Public,
                };
                let rule = sees(role, publicity);
                assert_eq!(
                    (seen.by_function, seen.by_condition),
                    (rule, rule),
                    "{role:?} seeing a {status} item for {audience:?}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 * 8 * 2);
}
