//! `src/schema.rs` matches the migrations, and every migration's `down.sql` undoes its `up.sql`.

use crate::helpers::EmptyDatabase;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::MigrationHarness;
use relais::db::MIGRATIONS;
use std::collections::BTreeSet;

type SyncConnection = AsyncConnectionWrapper<AsyncPgConnection>;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

/// What diesel's `print-schema` reads, as comparable lines: tables with their primary keys,
/// columns in order with their diesel types, and the single-column foreign keys between tables.
const DATABASE_SHAPE: &str = "
SELECT 'table ' || c.table_name || ' ' ||
       -- Places, not attribute numbers: a dropped column leaves a gap in those.
       row_number() OVER (PARTITION BY c.table_name ORDER BY c.ordinal_position) || ' ' ||
       c.column_name || ' -> ' ||
       CASE WHEN c.is_nullable = 'YES' THEN 'Nullable<' ELSE '' END ||
       CASE c.udt_name WHEN 'uuid' THEN 'Uuid' WHEN 'text' THEN 'Text' WHEN 'bool' THEN 'Bool'
            WHEN 'float8' THEN 'Float8' WHEN 'int4' THEN 'Int4' WHEN 'int8' THEN 'Int8'
            WHEN 'timestamptz' THEN 'Timestamptz' WHEN 'date' THEN 'Date' WHEN 'jsonb' THEN 'Jsonb' WHEN 'bytea' THEN 'Bytea' WHEN 'tsvector' THEN 'Tsvector'
            WHEN '_text' THEN 'Array<Nullable<Text>>' WHEN '_uuid' THEN 'Array<Nullable<Uuid>>' ELSE c.udt_name END ||
       CASE WHEN c.is_nullable = 'YES' THEN '>' ELSE '' END AS line
  FROM information_schema.columns c
  -- Tables only: print-schema leaves views out.
  JOIN information_schema.tables t USING (table_schema, table_name)
 WHERE c.table_schema = 'public' AND c.table_name <> '__diesel_schema_migrations'
   AND t.table_type = 'BASE TABLE'
UNION ALL
SELECT 'key ' || tc.table_name || ' (' || string_agg(k.column_name, ', ' ORDER BY k.ordinal_position) || ')'
  FROM information_schema.table_constraints tc
  JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
 WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public'
   AND tc.table_name <> '__diesel_schema_migrations'
 GROUP BY tc.table_name
UNION ALL
SELECT 'joinable ' || child.relname || ' -> ' || parent.relname || ' (' || a.attname || ')'
  FROM pg_constraint f
  JOIN pg_class child ON child.oid = f.conrelid
  JOIN pg_class parent ON parent.oid = f.confrelid
  JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = f.conkey[1]
 WHERE f.contype = 'f' AND f.connamespace = 'public'::regnamespace AND child.oid <> parent.oid
   AND array_length(f.conkey, 1) = 1";

/// The same lines, read from `src/schema.rs`.
fn schema_rs_shape() -> BTreeSet<String> {
    let source = include_str!("../../src/schema.rs");
    let mut lines = BTreeSet::new();
    let mut in_table_macro = false;
    let mut table: Option<String> = None;
    let mut position = 0;
    for raw in source.lines() {
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix("diesel::joinable!(") {
            lines.insert(format!("joinable {}", rest.trim_end_matches(");")));
        } else if line.starts_with("diesel::table!") {
            in_table_macro = true;
        } else if in_table_macro && table.is_none() && line.ends_with('{') {
            // `events (id) {`
            let (name, key) = line
                .trim_end_matches('{')
                .trim()
                .split_once(' ')
                .expect("table header");
            lines.insert(format!("key {name} {key}"));
            table = Some(name.to_string());
            position = 0;
        } else if line == "}" && table.is_some() {
            table = None;
        } else if line == "}" {
            in_table_macro = false;
        } else if let (Some(name), Some((column, kind))) = (&table, line.split_once(" -> ")) {
            position += 1;
            lines.insert(format!(
                "table {name} {position} {column} -> {}",
                kind.trim_end_matches(',')
            ));
        }
    }
    lines
}

fn database_shape(conn: &mut SyncConnection) -> BTreeSet<String> {
    diesel::sql_query(DATABASE_SHAPE)
        .load::<Line>(conn)
        .expect("read the database's shape")
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// Everything a migration can create, to compare before and after.
fn snapshot(conn: &mut SyncConnection) -> Vec<String> {
    diesel::sql_query(
        "SELECT line FROM (
           SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' ||
                  is_nullable || ' ' || coalesce(column_default, '') AS line
             FROM information_schema.columns WHERE table_schema = 'public'
           UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
           UNION ALL SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid)
             FROM pg_constraint WHERE connamespace = 'public'::regnamespace
           -- A function's body counts: a migration may only replace one (CREATE OR REPLACE).
           UNION ALL SELECT 'function ' || oid::regprocedure || ' ' || md5(prosrc)
             FROM pg_proc WHERE pronamespace = 'public'::regnamespace
           UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
           UNION ALL SELECT 'extension ' || extname FROM pg_extension
           UNION ALL SELECT 'type ' || typname FROM pg_type
             WHERE typnamespace = 'public'::regnamespace AND typtype IN ('e', 'd')
         ) s WHERE line NOT LIKE '%__diesel_schema_migrations%' ORDER BY line",
    )
    .load::<Line>(conn)
    .expect("snapshot the schema")
    .into_iter()
    .map(|l| l.line)
    .collect()
}

#[actix_web::test]
async fn schema_rs_matches_the_migrations() {
    let database = EmptyDatabase::create().await;
    let url = database.url.clone();
    let (expected, found) = tokio::task::spawn_blocking(move || {
        let mut conn = SyncConnection::establish(&url).expect("connect");
        conn.run_pending_migrations(MIGRATIONS).expect("migrate");
        (database_shape(&mut conn), schema_rs_shape())
    })
    .await
    .expect("schema check");
    let missing: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "src/schema.rs does not match the migrations; regenerate it with `diesel print-schema`.\n\
         In the database only: {missing:#?}\nIn src/schema.rs only: {extra:#?}"
    );
}

#[actix_web::test]
async fn every_down_migration_undoes_its_up_migration() {
    let database = EmptyDatabase::create().await;
    let url = database.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = SyncConnection::establish(&url).expect("connect");
        let total = conn
            .pending_migrations(MIGRATIONS)
            .expect("list migrations")
            .len();
        assert!(total > 0);
        for _ in 0..total {
            let before = snapshot(&mut conn);
            let version = conn.run_next_migration(MIGRATIONS).expect("up").to_string();
            assert_ne!(snapshot(&mut conn), before, "{version} changes nothing");
            conn.revert_last_migration(MIGRATIONS).expect("down");
            assert_eq!(
                snapshot(&mut conn),
                before,
                "down.sql of {version} does not undo its up.sql"
            );
            conn.run_next_migration(MIGRATIONS).expect("up again");
        }
        // And all the way down from the top.
        conn.revert_all_migrations(MIGRATIONS).expect("revert all");
        let left = snapshot(&mut conn);
        assert!(
            left.iter().all(|l| l.starts_with("extension plpgsql")),
            "left behind: {left:#?}"
        );
        conn.batch_execute("SELECT 1").expect("still connected");
    })
    .await
    .expect("migration check");
}
