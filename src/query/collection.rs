//! How a collection describes itself to the list engine: its table and select list, what may
//! be sorted and counted, who sees what.

use diesel::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use uuid::Uuid;

use super::sql::Sql;
use super::visibility::Visibility;

/// How a collection is stored and what of it may be sorted.
pub struct Collection {
    /// The table, always aliased `t` in queries.
    pub table: &'static str,
    /// The fields of its rows, in order ([`row!`]): each is the column `t.<field>`, unless
    /// `computed` says how to compute it.
    pub fields: &'static [&'static str],
    /// Fields that are no column of the table, with the SQL over `t` that gives them (the
    /// aggregated links of each row). `distance_km` is computed by the list from `near=`.
    pub computed: &'static [(&'static str, &'static str)],
    pub sorts: &'static [SortKey],
    /// Used when the request gives no `sort`.
    pub default_sort: &'static str,
    pub visibility: Visibility,
    /// What `facets=` may count.
    pub facets: &'static [Facet],
    /// Whether its rows have coordinates: its lists then take the geographic filters, and
    /// its `distance_km` field is the distance from `near=` (null without it).
    pub located: bool,
}

impl Collection {
    pub(super) fn sort_key(&self, name: &str) -> Option<&'static SortKey> {
        self.sorts.iter().find(|key| key.name == name)
    }

    /// The select list, over `t`: each field as a column or as computed. With `distance`,
    /// the field `distance_km` (of collections with places) is that expression.
    pub(super) fn select_list(&self, distance: Option<&Sql>) -> Sql {
        // One statement, pushed to in place: it is made for every request.
        let mut sql = Sql::new();
        for (index, field) in self.fields.iter().enumerate() {
            if index > 0 {
                sql.push(", ");
            }
            if *field == "distance_km" {
                match distance {
                    Some(distance) => sql
                        .push("round((")
                        .append(distance)
                        .push(")::numeric, 2)::float8"),
                    None => sql.push("NULL::float8"),
                };
                sql.push(" AS distance_km");
            } else if let Some((_, computed)) = self.computed.iter().find(|(name, _)| name == field)
            {
                sql.push(computed).push(" AS ").push(field);
            } else {
                sql.push("t.").push(field);
            }
        }
        sql
    }

    /// `FROM table t`.
    pub(super) fn from(&self) -> Sql {
        let mut sql = Sql::from(" FROM ");
        sql.push(self.table).push(" t");
        sql
    }
}

/// Declares the struct a collection's rows are read into, which is also the item sent, and
/// its `FIELDS`: the names of its fields, in order, from which the select list is made. A
/// column is thus named once, as a field.
#[macro_export]
macro_rules! row {
    ($(#[$meta:meta])* pub struct $name:ident {
        $($(#[$field_meta:meta])* pub $field:ident : $type:ty),+ $(,)?
    }) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: $type),+
        }

        impl $name {
            /// The fields, in order: what the select list reads.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];
        }
    };
}

/// Which rows [`Collection::find_all`] reads.
pub enum Keys {
    Ids(Vec<Uuid>),
    Slugs(Vec<String>),
}

/// Whether [`Collection::find`] locks the row it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    None,
    ForUpdate,
}

/// A dimension that `facets=` counts items by.
pub struct Facet {
    pub name: &'static str,
    /// Joined to `t` when the value lives in a link table (alias `l`).
    pub join: &'static str,
    /// The value counted, as SQL over `t` (and the join); it may be set-returning (`unnest`).
    pub value: &'static str,
    /// What a count is labelled with, as SQL over its value `f.value`.
    pub label: &'static str,
}

/// A theme's slug, the label of its id `f.value`.
pub const THEME_LABEL: &str = "(SELECT th.slug FROM themes th WHERE th.id = f.value)";

impl Facet {
    /// By the value of a column of the items.
    pub const fn column(name: &'static str, value: &'static str) -> Facet {
        Facet {
            name,
            join: "",
            value,
            label: "f.value",
        }
    }

    /// By theme, through the copy of its theme links each item keeps (`theme_ids`).
    pub const THEME: Facet = Facet {
        name: "theme",
        join: "",
        value: "unnest(t.theme_ids)",
        label: THEME_LABEL,
    };
    /// By INSEE region, for collections with places.
    pub const REGION: Facet = Facet::column("region", "t.region_code");
    /// By INSEE department, for collections with places.
    pub const DEPARTMENT: Facet = Facet::column("department", "t.department_code");
}

/// How many items of the current filter have one value of a facet.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, QueryableByName)]
pub struct FacetCount {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub value: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub count: i64,
}

/// The values of a facet counted, at most this many, the most frequent first.
pub const FACET_VALUES: i64 = 50;

/// The SQL type of a sort key, which its cursor values are read back as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    Text,
    Timestamp,
    Date,
    Float,
}

impl KeyType {
    pub(super) fn sql_name(self) -> &'static str {
        match self {
            KeyType::Text => "text",
            KeyType::Timestamp => "timestamptz",
            KeyType::Date => "date",
            KeyType::Float => "float8",
        }
    }
}

/// A field that may be sorted on.
pub struct SortKey {
    /// The name in `sort=`, which is also the field's name in the items.
    pub name: &'static str,
    pub column: &'static str,
    pub key_type: KeyType,
    /// For a nullable column, the value NULL sorts as (`-infinity`: first going up, last going
    /// down). The sort runs on `coalesce(column, null_as)`, never NULL, so that a cursor can
    /// always seek; an index on that expression (documents' `published_on`) serves it.
    pub null_as: Option<&'static str>,
}

impl SortKey {
    pub const fn new(name: &'static str, column: &'static str, key_type: KeyType) -> SortKey {
        SortKey {
            name,
            column,
            key_type,
            null_as: None,
        }
    }

    /// A nullable column, sorted as if its NULLs were `value`.
    pub const fn null_as(self, value: &'static str) -> SortKey {
        SortKey {
            null_as: Some(value),
            ..self
        }
    }

    /// Every collection sorts on when its items were created and last changed.
    pub const CREATED_AT: SortKey = SortKey::new("created_at", "t.created_at", KeyType::Timestamp);
    pub const UPDATED_AT: SortKey = SortKey::new("updated_at", "t.updated_at", KeyType::Timestamp);

    /// What the list is ordered by. Text sorts in French order (migration 000012), which the
    /// sort indexes follow.
    pub(super) fn expression(&self) -> Sql {
        let mut column = Sql::from(self.column);
        if self.key_type == KeyType::Text {
            column.push(" COLLATE relais_french");
        }
        match self.null_as {
            Some(value) => {
                let mut sql = Sql::from("coalesce(");
                sql.append(&column)
                    .push(", '")
                    .push(value)
                    .push("'::")
                    .push(self.key_type.sql_name())
                    .push(")");
                sql
            }
            None => column,
        }
    }
}
