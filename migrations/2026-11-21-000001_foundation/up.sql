-- The five browsable collections, the shared theme taxonomy and the links between them.
-- Enumerations are text with CHECK constraints: adding a value is a one-line migration and
-- the API reports the allowed values itself.

CREATE TABLE themes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    label text NOT NULL,
    description text,
    parent_id uuid REFERENCES themes (id) ON DELETE RESTRICT CHECK (parent_id <> id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX themes_parent_id_idx ON themes (parent_id);
CREATE INDEX themes_label_idx ON themes (label, id);
CREATE INDEX themes_created_at_idx ON themes (created_at, id);
CREATE INDEX themes_updated_at_idx ON themes (updated_at, id);

CREATE TABLE centres (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name text NOT NULL,
    acronym text,
    operator text,
    scope text NOT NULL CHECK (scope IN ('national', 'regional', 'departmental', 'local')),
    territory text,
    description text,
    email text,
    phone text,
    website text,
    address text,
    city text,
    latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX centres_name_idx ON centres (name, id);
CREATE INDEX centres_scope_idx ON centres (scope);
CREATE INDEX centres_created_at_idx ON centres (created_at, id);
CREATE INDEX centres_updated_at_idx ON centres (updated_at, id);

CREATE TABLE actors (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    kind text NOT NULL CHECK (kind IN ('person', 'organisation')),
    name text NOT NULL,
    organisation text,
    job_title text,
    category text CHECK (category IN ('technicien', 'elu', 'agent_developpement', 'charge_mission',
                                      'expert', 'chercheur', 'animateur', 'autre')),
    territory text,
    bio text,
    email text,
    phone text,
    website text,
    is_expert boolean NOT NULL DEFAULT false,
    latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX actors_name_idx ON actors (name, id);
CREATE INDEX actors_kind_idx ON actors (kind);
CREATE INDEX actors_category_idx ON actors (category);
CREATE INDEX actors_is_expert_idx ON actors (is_expert) WHERE is_expert;
CREATE INDEX actors_created_at_idx ON actors (created_at, id);
CREATE INDEX actors_updated_at_idx ON actors (updated_at, id);

CREATE TABLE events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title text NOT NULL,
    summary text NOT NULL DEFAULT '',
    body text,
    kind text NOT NULL CHECK (kind IN ('journee_technique', 'rencontre', 'groupe_travail', 'seminaire',
                                       'colloque', 'remise_prix', 'webinaire', 'atelier', 'visite_terrain')),
    centre_id uuid NOT NULL REFERENCES centres (id) ON DELETE RESTRICT,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    timezone text NOT NULL DEFAULT 'Europe/Paris',
    format text NOT NULL CHECK (format IN ('in_person', 'online', 'hybrid')),
    venue text,
    address text,
    city text,
    latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    online_url text,
    audience text NOT NULL DEFAULT 'public' CHECK (audience IN ('public', 'members')),
    capacity integer CHECK (capacity >= 0),
    registration_opens_at timestamptz,
    registration_closes_at timestamptz,
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (registration_closes_at IS NULL OR registration_opens_at IS NULL
           OR registration_closes_at > registration_opens_at),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX events_centre_id_idx ON events (centre_id, starts_at);
CREATE INDEX events_kind_idx ON events (kind);
CREATE INDEX events_format_idx ON events (format);
CREATE INDEX events_audience_idx ON events (audience);
-- The public listing: published, public, by date.
CREATE INDEX events_visible_starts_at_idx ON events (status, audience, starts_at, id);
CREATE INDEX events_starts_at_idx ON events (starts_at, id);
CREATE INDEX events_ends_at_idx ON events (ends_at);
CREATE INDEX events_title_idx ON events (title, id);
CREATE INDEX events_created_at_idx ON events (created_at, id);
CREATE INDEX events_updated_at_idx ON events (updated_at, id);

CREATE TABLE trainings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title text NOT NULL,
    summary text NOT NULL DEFAULT '',
    body text,
    kind text NOT NULL CHECK (kind IN ('formation', 'webinaire', 'e_learning', 'cycle_qualification')),
    modality text NOT NULL CHECK (modality IN ('in_person', 'online', 'hybrid', 'self_paced')),
    centre_id uuid NOT NULL REFERENCES centres (id) ON DELETE RESTRICT,
    objectives text,
    prerequisites text,
    duration_hours double precision CHECK (duration_hours > 0),
    audience text NOT NULL DEFAULT 'public' CHECK (audience IN ('public', 'members')),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trainings_centre_id_idx ON trainings (centre_id);
CREATE INDEX trainings_kind_idx ON trainings (kind);
CREATE INDEX trainings_modality_idx ON trainings (modality);
CREATE INDEX trainings_audience_idx ON trainings (audience);
CREATE INDEX trainings_visible_idx ON trainings (status, audience, title, id);
CREATE INDEX trainings_title_idx ON trainings (title, id);
CREATE INDEX trainings_created_at_idx ON trainings (created_at, id);
CREATE INDEX trainings_updated_at_idx ON trainings (updated_at, id);

CREATE TABLE training_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    training_id uuid NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    timezone text NOT NULL DEFAULT 'Europe/Paris',
    venue text,
    address text,
    city text,
    latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    online_url text,
    capacity integer CHECK (capacity >= 0),
    status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX training_sessions_training_id_idx ON training_sessions (training_id, starts_at, id);
CREATE INDEX training_sessions_starts_at_idx ON training_sessions (starts_at, id);
CREATE INDEX training_sessions_created_at_idx ON training_sessions (created_at, id);
CREATE INDEX training_sessions_updated_at_idx ON training_sessions (updated_at, id);

CREATE TABLE documents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title text NOT NULL,
    summary text NOT NULL DEFAULT '',
    body text,
    kind text NOT NULL CHECK (kind IN ('guide', 'note_technique', 'retour_experience', 'publication',
                                       'support_sensibilisation', 'compte_rendu', 'dossier', 'actualite')),
    centre_id uuid NOT NULL REFERENCES centres (id) ON DELETE RESTRICT,
    published_on date,
    language text NOT NULL DEFAULT 'fr' CHECK (language ~ '^[a-z]{2}$'),
    licence text,
    external_url text,
    audience text NOT NULL DEFAULT 'public' CHECK (audience IN ('public', 'members')),
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'submitted', 'published', 'rejected', 'archived')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_centre_id_idx ON documents (centre_id);
CREATE INDEX documents_kind_idx ON documents (kind);
CREATE INDEX documents_audience_idx ON documents (audience);
CREATE INDEX documents_visible_published_on_idx ON documents (status, audience, published_on, id);
CREATE INDEX documents_published_on_idx ON documents (published_on, id);
CREATE INDEX documents_title_idx ON documents (title, id);
CREATE INDEX documents_created_at_idx ON documents (created_at, id);
CREATE INDEX documents_updated_at_idx ON documents (updated_at, id);

-- Links. Each has its primary key on (owner, target) and an index on the target, so that both
-- "the themes of this event" and "the events of this theme" are index lookups.
CREATE TABLE centre_themes (
    centre_id uuid NOT NULL REFERENCES centres (id) ON DELETE CASCADE,
    theme_id uuid NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (centre_id, theme_id)
);
CREATE INDEX centre_themes_theme_id_idx ON centre_themes (theme_id);

CREATE TABLE actor_themes (
    actor_id uuid NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    theme_id uuid NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (actor_id, theme_id)
);
CREATE INDEX actor_themes_theme_id_idx ON actor_themes (theme_id);

CREATE TABLE actor_centres (
    actor_id uuid NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    centre_id uuid NOT NULL REFERENCES centres (id) ON DELETE CASCADE,
    PRIMARY KEY (actor_id, centre_id)
);
CREATE INDEX actor_centres_centre_id_idx ON actor_centres (centre_id);

CREATE TABLE event_themes (
    event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    theme_id uuid NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, theme_id)
);
CREATE INDEX event_themes_theme_id_idx ON event_themes (theme_id);

CREATE TABLE event_speakers (
    event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    actor_id uuid NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    position integer NOT NULL,
    PRIMARY KEY (event_id, actor_id)
);
CREATE INDEX event_speakers_actor_id_idx ON event_speakers (actor_id);

CREATE TABLE event_documents (
    event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position integer NOT NULL,
    PRIMARY KEY (event_id, document_id)
);
CREATE INDEX event_documents_document_id_idx ON event_documents (document_id);

CREATE TABLE training_themes (
    training_id uuid NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    theme_id uuid NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (training_id, theme_id)
);
CREATE INDEX training_themes_theme_id_idx ON training_themes (theme_id);

CREATE TABLE training_trainers (
    training_id uuid NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    actor_id uuid NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    position integer NOT NULL,
    PRIMARY KEY (training_id, actor_id)
);
CREATE INDEX training_trainers_actor_id_idx ON training_trainers (actor_id);

CREATE TABLE document_themes (
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    theme_id uuid NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (document_id, theme_id)
);
CREATE INDEX document_themes_theme_id_idx ON document_themes (theme_id);

CREATE TABLE document_authors (
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    actor_id uuid NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    position integer NOT NULL,
    PRIMARY KEY (document_id, actor_id)
);
CREATE INDEX document_authors_actor_id_idx ON document_authors (actor_id);
