//! An actor of the network as stored, read and sent, and how the list engine sees the collection.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;
use crate::query::{Collection, Facet, KeyType, SortKey, Visibility};
use crate::row;
use crate::schema::actors;

text_enum! {
    /// A person or an organisation.
    ActorKind { Person = "person", Organisation = "organisation" }
}

text_enum! {
    /// The audience category of an actor.
    ActorCategory {
        Technicien = "technicien",
        Elu = "elu",
        AgentDeveloppement = "agent_developpement",
        ChargeMission = "charge_mission",
        Expert = "expert",
        Chercheur = "chercheur",
        Animateur = "animateur",
        Autre = "autre",
    }
}

row! {
    /// A person or organisation of a centre's network. Contact details (`email`, `phone`) are
    /// present for members and administrators only.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = actors, check_for_backend(diesel::pg::Pg))]
    pub struct Actor {
        pub id: Uuid,
        #[schema(example = "claire-martin")]
        pub slug: String,
        pub kind: ActorKind,
        #[schema(example = "Claire Martin")]
        pub name: String,
        #[schema(example = "PNR des Grands Causses")]
        pub organisation: Option<String>,
        #[schema(example = "Chargée de mission biodiversité")]
        pub job_title: Option<String>,
        pub category: Option<ActorCategory>,
        #[schema(example = "Aveyron")]
        pub territory: Option<String>,
        pub bio: Option<String>,
        /// Members only: absent for the public.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<String>)]
        #[diesel(deserialize_as = Option<String>)]
        pub email: Option<Option<String>>,
        /// Members only: absent for the public.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<String>)]
        #[diesel(deserialize_as = Option<String>)]
        pub phone: Option<Option<String>>,
        pub website: Option<String>,
        /// Open to being put in touch on their themes.
        pub is_expert: bool,
        pub latitude: Option<f64>,
        pub longitude: Option<f64>,
        /// INSEE region code (`76`: Occitanie). Set from the department when only that is given.
        #[schema(example = "76")]
        pub region_code: Option<String>,
        /// INSEE department code (`34`, `2A`, `974`).
        #[schema(example = "34")]
        pub department_code: Option<String>,
        /// With `near=`: the distance from that point, in kilometres.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
        pub distance_km: Option<f64>,
        /// The centres whose network the actor belongs to.
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
        pub centre_ids: Vec<Uuid>,
        /// Expertise themes (slugs).
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
        pub themes: Vec<String>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

pub static ACTORS: Collection = Collection {
    table: "actors",
    fields: Actor::FIELDS,
    computed: &[("themes", "t.theme_slugs")],
    sorts: &[
        SortKey::new("name", "t.name", KeyType::Text),
        SortKey::CREATED_AT,
        SortKey::UPDATED_AT,
    ],
    default_sort: "name",
    visibility: Visibility::Everyone,
    facets: &[
        Facet::THEME,
        Facet::column("kind", "t.kind"),
        Facet::column("category", "t.category"),
        Facet {
            name: "centre",
            join: "JOIN actor_centres l ON l.actor_id = t.id",
            value: "l.centre_id",
            label: "f.value",
        },
        Facet::REGION,
        Facet::DEPARTMENT,
    ],
    located: true,
};
