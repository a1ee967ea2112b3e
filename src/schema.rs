// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    actor_centres (actor_id, centre_id) {
        actor_id -> Uuid,
        centre_id -> Uuid,
    }
}

diesel::table! {
    actor_themes (actor_id, theme_id) {
        actor_id -> Uuid,
        theme_id -> Uuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    actors (id) {
        id -> Uuid,
        slug -> Text,
        kind -> Text,
        name -> Text,
        organisation -> Nullable<Text>,
        job_title -> Nullable<Text>,
        category -> Nullable<Text>,
        territory -> Nullable<Text>,
        bio -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        website -> Nullable<Text>,
        is_expert -> Bool,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
        region_code -> Nullable<Text>,
        department_code -> Nullable<Text>,
        theme_ids -> Array<Nullable<Uuid>>,
        centre_ids -> Array<Nullable<Uuid>>,
        theme_slugs -> Array<Nullable<Text>>,
    }
}

diesel::table! {
    audit_entries (id) {
        id -> Uuid,
        at -> Timestamptz,
        user_id -> Nullable<Uuid>,
        role -> Text,
        collection -> Text,
        item_id -> Uuid,
        action -> Text,
        changes -> Jsonb,
    }
}

diesel::table! {
    centre_themes (centre_id, theme_id) {
        centre_id -> Uuid,
        theme_id -> Uuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    centres (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        acronym -> Nullable<Text>,
        operator -> Nullable<Text>,
        scope -> Text,
        territory -> Nullable<Text>,
        description -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        website -> Nullable<Text>,
        address -> Nullable<Text>,
        city -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
        region_code -> Nullable<Text>,
        department_code -> Nullable<Text>,
        theme_ids -> Array<Nullable<Uuid>>,
        theme_slugs -> Array<Nullable<Text>>,
    }
}

diesel::table! {
    deletions (id) {
        id -> Uuid,
        collection -> Text,
        slug -> Text,
        deleted_at -> Timestamptz,
        lost_by -> Array<Nullable<Text>>,
    }
}

diesel::table! {
    departments (code) {
        code -> Text,
        name -> Text,
        region_code -> Text,
    }
}

diesel::table! {
    document_authors (document_id, actor_id) {
        document_id -> Uuid,
        actor_id -> Uuid,
        position -> Int4,
    }
}

diesel::table! {
    document_themes (document_id, theme_id) {
        document_id -> Uuid,
        theme_id -> Uuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    documents (id) {
        id -> Uuid,
        slug -> Text,
        title -> Text,
        summary -> Text,
        body -> Nullable<Text>,
        kind -> Text,
        centre_id -> Uuid,
        published_on -> Nullable<Date>,
        language -> Text,
        licence -> Nullable<Text>,
        external_url -> Nullable<Text>,
        audience -> Text,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
        theme_ids -> Array<Nullable<Uuid>>,
        author_ids -> Array<Nullable<Uuid>>,
        theme_slugs -> Array<Nullable<Text>>,
        submitted_by -> Nullable<Uuid>,
        submitted_at -> Nullable<Timestamptz>,
        decided_at -> Nullable<Timestamptz>,
        rejection_reason -> Nullable<Text>,
        file_key -> Nullable<Text>,
        file_name -> Nullable<Text>,
        file_media_type -> Nullable<Text>,
        file_size -> Nullable<Int8>,
        file_sha256 -> Nullable<Text>,
        file_uploaded_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    event_documents (event_id, document_id) {
        event_id -> Uuid,
        document_id -> Uuid,
        position -> Int4,
    }
}

diesel::table! {
    event_speakers (event_id, actor_id) {
        event_id -> Uuid,
        actor_id -> Uuid,
        position -> Int4,
    }
}

diesel::table! {
    event_themes (event_id, theme_id) {
        event_id -> Uuid,
        theme_id -> Uuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    events (id) {
        id -> Uuid,
        slug -> Text,
        title -> Text,
        summary -> Text,
        body -> Nullable<Text>,
        kind -> Text,
        centre_id -> Uuid,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        timezone -> Text,
        format -> Text,
        venue -> Nullable<Text>,
        address -> Nullable<Text>,
        city -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        online_url -> Nullable<Text>,
        audience -> Text,
        capacity -> Nullable<Int4>,
        registration_opens_at -> Nullable<Timestamptz>,
        registration_closes_at -> Nullable<Timestamptz>,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
        region_code -> Nullable<Text>,
        department_code -> Nullable<Text>,
        theme_ids -> Array<Nullable<Uuid>>,
        speaker_ids -> Array<Nullable<Uuid>>,
        document_ids -> Array<Nullable<Uuid>>,
        theme_slugs -> Array<Nullable<Text>>,
        registration -> Text,
        waitlist_promotion -> Text,
        offer_hours -> Int4,
        held_places -> Int4,
        has_places -> Bool,
        submitted_by -> Nullable<Uuid>,
        submitted_at -> Nullable<Timestamptz>,
        decided_at -> Nullable<Timestamptz>,
        rejection_reason -> Nullable<Text>,
    }
}

diesel::table! {
    registrations (id) {
        id -> Uuid,
        event_id -> Nullable<Uuid>,
        session_id -> Nullable<Uuid>,
        item_id -> Uuid,
        user_id -> Uuid,
        status -> Text,
        queued -> Int8,
        offered_until -> Nullable<Timestamptz>,
        cancellation -> Nullable<Text>,
        attendance -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (caller, key) {
        caller -> Text,
        key -> Text,
        request_sha256 -> Text,
        status -> Nullable<Int4>,
        headers -> Nullable<Jsonb>,
        body -> Nullable<Bytea>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Int8,
        key -> Text,
        failed_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    regions (code) {
        code -> Text,
        name -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    themes (id) {
        id -> Uuid,
        slug -> Text,
        label -> Text,
        description -> Nullable<Text>,
        parent_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    training_sessions (id) {
        id -> Uuid,
        slug -> Text,
        training_id -> Uuid,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        timezone -> Text,
        venue -> Nullable<Text>,
        address -> Nullable<Text>,
        city -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        online_url -> Nullable<Text>,
        capacity -> Nullable<Int4>,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        registration -> Text,
        waitlist_promotion -> Text,
        offer_hours -> Int4,
        held_places -> Int4,
        registration_opens_at -> Nullable<Timestamptz>,
        registration_closes_at -> Nullable<Timestamptz>,
        has_places -> Bool,
    }
}

diesel::table! {
    training_themes (training_id, theme_id) {
        training_id -> Uuid,
        theme_id -> Uuid,
    }
}

diesel::table! {
    training_trainers (training_id, actor_id) {
        training_id -> Uuid,
        actor_id -> Uuid,
        position -> Int4,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    trainings (id) {
        id -> Uuid,
        slug -> Text,
        title -> Text,
        summary -> Text,
        body -> Nullable<Text>,
        kind -> Text,
        modality -> Text,
        centre_id -> Uuid,
        objectives -> Nullable<Text>,
        prerequisites -> Nullable<Text>,
        duration_hours -> Nullable<Float8>,
        audience -> Text,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
        theme_ids -> Array<Nullable<Uuid>>,
        trainer_ids -> Array<Nullable<Uuid>>,
        theme_slugs -> Array<Nullable<Text>>,
    }
}

diesel::table! {
    trash (id) {
        id -> Uuid,
        collection -> Text,
        table_name -> Text,
        slug -> Text,
        label -> Text,
        snapshot -> Jsonb,
        unlinked -> Jsonb,
        deleted_by -> Nullable<Uuid>,
        deleted_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        is_active -> Bool,
        actor_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        calendar_token -> Text,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        webhook_id -> Uuid,
        event_type -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_status -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        url -> Text,
        collections -> Array<Nullable<Text>>,
        actions -> Array<Nullable<Text>>,
        secret -> Text,
        enabled -> Bool,
        consecutive_failures -> Int4,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(actor_centres -> actors (actor_id));
diesel::joinable!(actor_centres -> centres (centre_id));
diesel::joinable!(actor_themes -> actors (actor_id));
diesel::joinable!(actor_themes -> themes (theme_id));
diesel::joinable!(actors -> regions (region_code));
diesel::joinable!(centre_themes -> centres (centre_id));
diesel::joinable!(centre_themes -> themes (theme_id));
diesel::joinable!(centres -> regions (region_code));
diesel::joinable!(departments -> regions (region_code));
diesel::joinable!(document_authors -> actors (actor_id));
diesel::joinable!(document_authors -> documents (document_id));
diesel::joinable!(document_themes -> documents (document_id));
diesel::joinable!(document_themes -> themes (theme_id));
diesel::joinable!(documents -> centres (centre_id));
diesel::joinable!(documents -> users (submitted_by));
diesel::joinable!(event_documents -> documents (document_id));
diesel::joinable!(event_documents -> events (event_id));
diesel::joinable!(event_speakers -> actors (actor_id));
diesel::joinable!(event_speakers -> events (event_id));
diesel::joinable!(event_themes -> events (event_id));
diesel::joinable!(event_themes -> themes (theme_id));
diesel::joinable!(events -> centres (centre_id));
diesel::joinable!(events -> regions (region_code));
diesel::joinable!(events -> users (submitted_by));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(registrations -> events (event_id));
diesel::joinable!(registrations -> training_sessions (session_id));
diesel::joinable!(registrations -> users (user_id));
diesel::joinable!(training_sessions -> trainings (training_id));
diesel::joinable!(training_themes -> themes (theme_id));
diesel::joinable!(training_themes -> trainings (training_id));
diesel::joinable!(training_trainers -> actors (actor_id));
diesel::joinable!(training_trainers -> trainings (training_id));
diesel::joinable!(trainings -> centres (centre_id));
diesel::joinable!(users -> actors (actor_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    actor_centres,
    actor_themes,
    actors,
    audit_entries,
    centre_themes,
    centres,
    deletions,
    departments,
    document_authors,
    document_themes,
    documents,
    event_documents,
    event_speakers,
    event_themes,
    events,
    idempotency_keys,
    login_failures,
    refresh_tokens,
    regions,
    registrations,
    themes,
    training_sessions,
    training_themes,
    training_trainers,
    trainings,
    trash,
    users,
    webhook_deliveries,
    webhooks,
);
