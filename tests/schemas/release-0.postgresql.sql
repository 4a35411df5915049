-- Release 0 (commit 5c64f86, schema version 0): the schema that release's migrate() builds on an empty PostgreSQL schema.
-- Frozen test fixture dumped with pg_dump --inserts, schema name and session settings stripped; do not edit.

CREATE TABLE audit_event (
    seq bigint NOT NULL,
    at timestamp without time zone NOT NULL,
    actor_id integer,
    action character varying(60) NOT NULL,
    object_type character varying(40),
    object_id character varying(64),
    client character varying(45),
    outcome character varying(20) NOT NULL,
    prev_hash character varying(64) NOT NULL,
    hash character varying(64) NOT NULL
);

CREATE TABLE booking (
    id integer NOT NULL,
    session_id integer NOT NULL,
    channel character varying(10) NOT NULL,
    status character varying(20) NOT NULL,
    reference character varying(12) NOT NULL,
    idempotency_key character varying(64),
    sealed bytea,
    programmes character varying(200) NOT NULL,
    manage_hash character varying(64),
    manage_valid_until date,
    decline_reason text,
    created_by_id integer,
    created_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE booking_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE booking_id_seq OWNED BY booking.id;

CREATE TABLE consultation_session (
    id integer NOT NULL,
    venue_id integer NOT NULL,
    date date NOT NULL,
    starts_at time without time zone NOT NULL,
    ends_at time without time zone NOT NULL,
    capacity integer NOT NULL,
    taken integer NOT NULL,
    consultant_id integer,
    status character varying(20) NOT NULL
);

CREATE SEQUENCE consultation_session_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE consultation_session_id_seq OWNED BY consultation_session.id;

CREATE TABLE key_check (
    id integer NOT NULL,
    name character varying(40) NOT NULL,
    "check" bytea NOT NULL,
    created_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE key_check_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE key_check_id_seq OWNED BY key_check.id;

CREATE TABLE organisation (
    id integer NOT NULL,
    name character varying(200) NOT NULL,
    contract_ends_on date,
    created_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE organisation_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE organisation_id_seq OWNED BY organisation.id;

CREATE TABLE recovery_code (
    id integer NOT NULL,
    user_id integer NOT NULL,
    code_hash character varying(64) NOT NULL
);

CREATE SEQUENCE recovery_code_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE recovery_code_id_seq OWNED BY recovery_code.id;

CREATE TABLE schema_version (
    id integer NOT NULL,
    version integer NOT NULL
);

CREATE SEQUENCE schema_version_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE schema_version_id_seq OWNED BY schema_version.id;

CREATE TABLE staff_session (
    id integer NOT NULL,
    token_hash character varying(64) NOT NULL,
    user_id integer NOT NULL,
    client character varying(45) NOT NULL,
    created_at timestamp without time zone NOT NULL,
    last_seen_at timestamp without time zone NOT NULL,
    revoked_at timestamp without time zone
);

CREATE SEQUENCE staff_session_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE staff_session_id_seq OWNED BY staff_session.id;

CREATE TABLE stored_object (
    id uuid NOT NULL,
    storage_key character varying(80) NOT NULL,
    backend character varying(20) NOT NULL,
    kind character varying(30) NOT NULL,
    size bigint NOT NULL,
    sha256 character varying(64) NOT NULL,
    format integer NOT NULL,
    kek_id character varying(20) NOT NULL,
    wrapped_key bytea NOT NULL,
    created_at timestamp without time zone NOT NULL
);

CREATE TABLE throttle (
    id integer NOT NULL,
    key character varying(80) NOT NULL,
    failures integer NOT NULL,
    blocked_until timestamp without time zone,
    updated_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE throttle_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE throttle_id_seq OWNED BY throttle.id;

CREATE TABLE "user" (
    id integer NOT NULL,
    email character varying(254) NOT NULL,
    password_hash character varying(255) NOT NULL,
    role character varying(20) NOT NULL,
    organisation_id integer NOT NULL,
    totp_secret bytea,
    totp_last_step bigint NOT NULL,
    expires_on date,
    disabled_at timestamp without time zone,
    created_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE user_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE user_id_seq OWNED BY "user".id;

CREATE TABLE venue (
    id integer NOT NULL,
    name character varying(200) NOT NULL,
    ward character varying(50) NOT NULL,
    address character varying(300) NOT NULL,
    access_notes text NOT NULL,
    what_to_bring text NOT NULL,
    map_url character varying(500) NOT NULL,
    active boolean NOT NULL
);

CREATE SEQUENCE venue_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE venue_id_seq OWNED BY venue.id;

ALTER TABLE ONLY booking ALTER COLUMN id SET DEFAULT nextval('booking_id_seq'::regclass);

ALTER TABLE ONLY consultation_session ALTER COLUMN id SET DEFAULT nextval('consultation_session_id_seq'::regclass);

ALTER TABLE ONLY key_check ALTER COLUMN id SET DEFAULT nextval('key_check_id_seq'::regclass);

ALTER TABLE ONLY organisation ALTER COLUMN id SET DEFAULT nextval('organisation_id_seq'::regclass);

ALTER TABLE ONLY recovery_code ALTER COLUMN id SET DEFAULT nextval('recovery_code_id_seq'::regclass);

ALTER TABLE ONLY schema_version ALTER COLUMN id SET DEFAULT nextval('schema_version_id_seq'::regclass);

ALTER TABLE ONLY staff_session ALTER COLUMN id SET DEFAULT nextval('staff_session_id_seq'::regclass);

ALTER TABLE ONLY throttle ALTER COLUMN id SET DEFAULT nextval('throttle_id_seq'::regclass);

ALTER TABLE ONLY "user" ALTER COLUMN id SET DEFAULT nextval('user_id_seq'::regclass);

ALTER TABLE ONLY venue ALTER COLUMN id SET DEFAULT nextval('venue_id_seq'::regclass);

INSERT INTO schema_version VALUES (1, 0);

SELECT pg_catalog.setval('booking_id_seq', 1, false);

SELECT pg_catalog.setval('consultation_session_id_seq', 1, false);

SELECT pg_catalog.setval('key_check_id_seq', 1, false);

SELECT pg_catalog.setval('organisation_id_seq', 1, false);

SELECT pg_catalog.setval('recovery_code_id_seq', 1, false);

SELECT pg_catalog.setval('schema_version_id_seq', 1, true);

SELECT pg_catalog.setval('staff_session_id_seq', 1, false);

SELECT pg_catalog.setval('throttle_id_seq', 1, false);

SELECT pg_catalog.setval('user_id_seq', 1, false);

SELECT pg_catalog.setval('venue_id_seq', 1, false);

ALTER TABLE ONLY audit_event
    ADD CONSTRAINT audit_event_pkey PRIMARY KEY (seq);

ALTER TABLE ONLY booking
    ADD CONSTRAINT booking_pkey PRIMARY KEY (id);

ALTER TABLE ONLY consultation_session
    ADD CONSTRAINT consultation_session_pkey PRIMARY KEY (id);

ALTER TABLE ONLY key_check
    ADD CONSTRAINT key_check_pkey PRIMARY KEY (id);

ALTER TABLE ONLY organisation
    ADD CONSTRAINT organisation_pkey PRIMARY KEY (id);

ALTER TABLE ONLY recovery_code
    ADD CONSTRAINT recovery_code_pkey PRIMARY KEY (id);

ALTER TABLE ONLY schema_version
    ADD CONSTRAINT schema_version_pkey PRIMARY KEY (id);

ALTER TABLE ONLY staff_session
    ADD CONSTRAINT staff_session_pkey PRIMARY KEY (id);

ALTER TABLE ONLY stored_object
    ADD CONSTRAINT stored_object_pkey PRIMARY KEY (id);

ALTER TABLE ONLY throttle
    ADD CONSTRAINT throttle_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "user"
    ADD CONSTRAINT user_pkey PRIMARY KEY (id);

ALTER TABLE ONLY venue
    ADD CONSTRAINT venue_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX audit_event_hash ON audit_event USING btree (hash);

CREATE INDEX booking_created_by_id ON booking USING btree (created_by_id);

CREATE UNIQUE INDEX booking_idempotency_key ON booking USING btree (idempotency_key);

CREATE UNIQUE INDEX booking_manage_hash ON booking USING btree (manage_hash);

CREATE UNIQUE INDEX booking_reference ON booking USING btree (reference);

CREATE INDEX booking_session_id ON booking USING btree (session_id);

CREATE INDEX consultation_session_consultant_id ON consultation_session USING btree (consultant_id);

CREATE INDEX consultation_session_date ON consultation_session USING btree (date);

CREATE INDEX consultation_session_venue_id ON consultation_session USING btree (venue_id);

CREATE UNIQUE INDEX key_check_name ON key_check USING btree (name);

CREATE UNIQUE INDEX organisation_name ON organisation USING btree (name);

CREATE UNIQUE INDEX recovery_code_code_hash ON recovery_code USING btree (code_hash);

CREATE INDEX recovery_code_user_id ON recovery_code USING btree (user_id);

CREATE UNIQUE INDEX staff_session_token_hash ON staff_session USING btree (token_hash);

CREATE INDEX staff_session_user_id ON staff_session USING btree (user_id);

CREATE INDEX stored_object_kek_id ON stored_object USING btree (kek_id);

CREATE UNIQUE INDEX stored_object_storage_key ON stored_object USING btree (storage_key);

CREATE UNIQUE INDEX throttle_key ON throttle USING btree (key);

CREATE UNIQUE INDEX user_email ON "user" USING btree (email);

CREATE INDEX user_organisation_id ON "user" USING btree (organisation_id);

CREATE INDEX venue_ward ON venue USING btree (ward);

ALTER TABLE ONLY booking
    ADD CONSTRAINT booking_created_by_id_fkey FOREIGN KEY (created_by_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY booking
    ADD CONSTRAINT booking_session_id_fkey FOREIGN KEY (session_id) REFERENCES consultation_session(id) ON DELETE RESTRICT;

ALTER TABLE ONLY consultation_session
    ADD CONSTRAINT consultation_session_consultant_id_fkey FOREIGN KEY (consultant_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY consultation_session
    ADD CONSTRAINT consultation_session_venue_id_fkey FOREIGN KEY (venue_id) REFERENCES venue(id) ON DELETE RESTRICT;

ALTER TABLE ONLY recovery_code
    ADD CONSTRAINT recovery_code_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user"(id) ON DELETE CASCADE;

ALTER TABLE ONLY staff_session
    ADD CONSTRAINT staff_session_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user"(id) ON DELETE CASCADE;

ALTER TABLE ONLY "user"
    ADD CONSTRAINT user_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisation(id) ON DELETE RESTRICT;
