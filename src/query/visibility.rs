//! Who sees what: the role-visibility rule, written once.
//!
//! [`sees`] is the rule; [`Visibility`] renders it as the `WHERE` condition of lists, and the
//! SQL function `relais_seen_by(status, audience)` (migration 000009), which the tombstone
//! triggers use, must agree with it: a test checks the three on every status, audience and
//! role.

use super::condition::Condition;
use super::sql::{Bind, Sql};
use crate::auth::Role;

/// What an item must be for `role` to see it: published (for every role but admins), and open
/// to everyone (for the public).
struct Needs {
    published: bool,
    public: bool,
}

const fn needs(role: Role) -> Needs {
    match role {
        Role::Admin => Needs {
            published: false,
            public: false,
        },
        Role::Member => Needs {
            published: true,
            public: false,
        },
        Role::Public => Needs {
            published: true,
            public: true,
        },
    }
}

/// What of an item decides who sees it.
#[derive(Clone, Copy, Debug)]
pub struct Publicity {
    pub published: bool,
    /// Open to everyone, not to members only.
    pub public: bool,
}

/// Whether `role` sees an item.
pub fn sees(role: Role, item: Publicity) -> bool {
    let needs = needs(role);
    (item.published || !needs.published) && (item.public || !needs.public)
}

/// The rule as a condition on the row aliased `alias` (`t` or `p`), with literal values, so
/// that the partial indexes of what the public and members see (migration 000011) apply.
fn condition(role: Role, alias: &'static str) -> Sql {
    let needs = needs(role);
    let mut sql = Sql::new();
    if needs.published {
        sql.push(" AND ").push(alias).push(".status = 'published'");
    }
    if needs.public {
        sql.push(" AND ").push(alias).push(".audience = 'public'");
    }
    sql
}

/// What of a collection each role sees.
pub enum Visibility {
    /// Everything, to everyone (centres, actors, themes).
    Everyone,
    /// By [`sees`] on the row's status and audience.
    Published,
    /// As `Published`, judged on the parent row (a training's sessions).
    PublishedParent {
        table: &'static str,
        foreign_key: &'static str,
    },
    /// Tombstones: to the roles that lost sight of the item (its `lost_by`).
    LostBy,
}

impl Visibility {
    /// ` AND …` conditions on `t` that keep what `role` sees.
    pub(super) fn render(&self, role: Role) -> Sql {
        match self {
            Visibility::Everyone => Sql::new(),
            Visibility::Published => condition(role, "t"),
            Visibility::PublishedParent { table, foreign_key } => {
                let rule = condition(role, "p");
                if rule.is_empty() {
                    return rule;
                }
                let mut sql = Sql::from(" AND EXISTS (SELECT 1 FROM ");
                sql.push(table)
                    .push(" p WHERE p.id = t.")
                    .push(foreign_key)
                    .append(&rule)
                    .push(")");
                sql
            }
            Visibility::LostBy => {
                let mut sql = Sql::from(" AND ");
                sql.bind(Bind::Text(role.as_str().to_string()))
                    .push(" = ANY (t.lost_by)");
                sql
            }
        }
    }
}

impl Visibility {
    /// Whether `condition` asks for what `role` never sees (`audience=members` from the
    /// public, `status=draft` from a member): the list is then empty, known so without a
    /// scan, where the planner would read every row to find none.
    pub(super) fn hides_all(&self, role: Role, condition: &Condition) -> bool {
        let (Visibility::Published, Condition::Equals { column, value }) = (self, condition) else {
            return false;
        };
        let Bind::Text(value) = value else {
            return false;
        };
        let needs = needs(role);
        match *column {
            "t.status" => needs.published && value != "published",
            "t.audience" => needs.public && value != "public",
            _ => false,
        }
    }
}

/// The rule's condition on `t` alone, for the test that checks it against [`sees`].
pub fn condition_on_t(role: Role) -> Sql {
    let mut sql = Sql::from("TRUE");
    sql.append(&condition(role, "t"));
    sql
}
