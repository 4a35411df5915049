-- Release 4 (commit fa4bebf, schema version 4): the schema that release's migrate() builds on an empty PostgreSQL schema.
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

CREATE TABLE availability_version (
    id integer NOT NULL,
    version integer NOT NULL
);

CREATE SEQUENCE availability_version_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE availability_version_id_seq OWNED BY availability_version.id;

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
    phone_index character varying(64),
    email_index character varying(64),
    kana_index character varying(64),
    reminder_sent_on date,
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

CREATE TABLE call_event (
    id integer NOT NULL,
    day date NOT NULL,
    kind character varying(10) NOT NULL,
    taken_by_id integer,
    at timestamp without time zone NOT NULL
);

CREATE SEQUENCE call_event_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE call_event_id_seq OWNED BY call_event.id;

CREATE TABLE consultation_record (
    id integer NOT NULL,
    booking_id integer NOT NULL,
    author_id integer NOT NULL,
    version integer NOT NULL,
    follow_up_due date,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    deleted_at timestamp without time zone,
    deleted_by_id integer,
    deletion_reason bytea
);

CREATE SEQUENCE consultation_record_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE consultation_record_id_seq OWNED BY consultation_record.id;

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

CREATE TABLE daily_report (
    id integer NOT NULL,
    day date NOT NULL,
    calls integer NOT NULL,
    bookings integer NOT NULL,
    issues bytea NOT NULL,
    version integer NOT NULL,
    filed_by_id integer,
    filed_at timestamp without time zone NOT NULL,
    updated_by_id integer,
    updated_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE daily_report_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE daily_report_id_seq OWNED BY daily_report.id;

CREATE TABLE deletion_certificate (
    id integer NOT NULL,
    kind character varying(40) NOT NULL,
    object_id character varying(64) NOT NULL,
    reason character varying(20) NOT NULL,
    rule character varying(80) NOT NULL,
    part_of character varying(80),
    run character varying(32) NOT NULL,
    destroyed_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE deletion_certificate_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE deletion_certificate_id_seq OWNED BY deletion_certificate.id;

CREATE TABLE document (
    id integer NOT NULL,
    folder_id integer NOT NULL,
    title character varying(200) NOT NULL,
    daily_report_id integer,
    created_by_id integer,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    deleted_at timestamp without time zone,
    deleted_by_id integer,
    deletion_reason bytea
);

CREATE SEQUENCE document_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE document_id_seq OWNED BY document.id;

CREATE TABLE document_version (
    id integer NOT NULL,
    document_id integer NOT NULL,
    number integer NOT NULL,
    stored_id uuid NOT NULL,
    filename bytea NOT NULL,
    extension character varying(10) NOT NULL,
    mimetype character varying(100) NOT NULL,
    uploaded_by_id integer,
    created_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE document_version_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE document_version_id_seq OWNED BY document_version.id;

CREATE TABLE folder (
    id integer NOT NULL,
    name character varying(200) NOT NULL,
    purpose character varying(20) NOT NULL,
    owner_id integer NOT NULL,
    created_at timestamp without time zone NOT NULL
);

CREATE TABLE folder_grant (
    id integer NOT NULL,
    folder_id integer NOT NULL,
    organisation_id integer,
    role character varying(20),
    access character varying(5) NOT NULL,
    granted_by_id integer,
    granted_at timestamp without time zone NOT NULL,
    revoked_by_id integer,
    revoked_at timestamp without time zone
);

CREATE SEQUENCE folder_grant_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE folder_grant_id_seq OWNED BY folder_grant.id;

CREATE SEQUENCE folder_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE folder_id_seq OWNED BY folder.id;

CREATE TABLE holiday (
    id integer NOT NULL,
    date date NOT NULL,
    name character varying(100) NOT NULL
);

CREATE SEQUENCE holiday_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE holiday_id_seq OWNED BY holiday.id;

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

CREATE TABLE list_notice (
    id integer NOT NULL,
    day date NOT NULL,
    sent_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE list_notice_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE list_notice_id_seq OWNED BY list_notice.id;

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

CREATE TABLE record_attachment (
    id uuid NOT NULL,
    record_id integer NOT NULL,
    stored_id uuid NOT NULL,
    extension character varying(10) NOT NULL,
    filename bytea NOT NULL,
    uploaded_by_id integer NOT NULL,
    uploaded_at timestamp without time zone NOT NULL,
    deleted_at timestamp without time zone,
    deleted_by_id integer
);

CREATE TABLE record_grant (
    id integer NOT NULL,
    record_id integer NOT NULL,
    grantee_id integer NOT NULL,
    granted_by_id integer NOT NULL,
    granted_at timestamp without time zone NOT NULL,
    revoked_by_id integer,
    revoked_at timestamp without time zone
);

CREATE SEQUENCE record_grant_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE record_grant_id_seq OWNED BY record_grant.id;

CREATE TABLE record_version (
    id integer NOT NULL,
    record_id integer NOT NULL,
    version integer NOT NULL,
    body bytea NOT NULL,
    saved_by_id integer NOT NULL,
    saved_at timestamp without time zone NOT NULL
);

CREATE SEQUENCE record_version_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE record_version_id_seq OWNED BY record_version.id;

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

CREATE TABLE season (
    id integer NOT NULL,
    name character varying(100) NOT NULL,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    intake_weekdays character varying(20) NOT NULL,
    intake_opens time without time zone NOT NULL,
    intake_closes time without time zone NOT NULL
);

CREATE SEQUENCE season_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE season_id_seq OWNED BY season.id;

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

CREATE TABLE weekly_pattern (
    id integer NOT NULL,
    venue_id integer NOT NULL,
    weekday integer NOT NULL,
    starts_at time without time zone NOT NULL,
    ends_at time without time zone NOT NULL,
    capacity integer NOT NULL,
    consultant_id integer
);

CREATE SEQUENCE weekly_pattern_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE weekly_pattern_id_seq OWNED BY weekly_pattern.id;

ALTER TABLE ONLY availability_version ALTER COLUMN id SET DEFAULT nextval('availability_version_id_seq'::regclass);

ALTER TABLE ONLY booking ALTER COLUMN id SET DEFAULT nextval('booking_id_seq'::regclass);

ALTER TABLE ONLY call_event ALTER COLUMN id SET DEFAULT nextval('call_event_id_seq'::regclass);

ALTER TABLE ONLY consultation_record ALTER COLUMN id SET DEFAULT nextval('consultation_record_id_seq'::regclass);

ALTER TABLE ONLY consultation_session ALTER COLUMN id SET DEFAULT nextval('consultation_session_id_seq'::regclass);

ALTER TABLE ONLY daily_report ALTER COLUMN id SET DEFAULT nextval('daily_report_id_seq'::regclass);

ALTER TABLE ONLY deletion_certificate ALTER COLUMN id SET DEFAULT nextval('deletion_certificate_id_seq'::regclass);

ALTER TABLE ONLY document ALTER COLUMN id SET DEFAULT nextval('document_id_seq'::regclass);

ALTER TABLE ONLY document_version ALTER COLUMN id SET DEFAULT nextval('document_version_id_seq'::regclass);

ALTER TABLE ONLY folder ALTER COLUMN id SET DEFAULT nextval('folder_id_seq'::regclass);

ALTER TABLE ONLY folder_grant ALTER COLUMN id SET DEFAULT nextval('folder_grant_id_seq'::regclass);

ALTER TABLE ONLY holiday ALTER COLUMN id SET DEFAULT nextval('holiday_id_seq'::regclass);

ALTER TABLE ONLY key_check ALTER COLUMN id SET DEFAULT nextval('key_check_id_seq'::regclass);

ALTER TABLE ONLY list_notice ALTER COLUMN id SET DEFAULT nextval('list_notice_id_seq'::regclass);

ALTER TABLE ONLY organisation ALTER COLUMN id SET DEFAULT nextval('organisation_id_seq'::regclass);

ALTER TABLE ONLY record_grant ALTER COLUMN id SET DEFAULT nextval('record_grant_id_seq'::regclass);

ALTER TABLE ONLY record_version ALTER COLUMN id SET DEFAULT nextval('record_version_id_seq'::regclass);

ALTER TABLE ONLY recovery_code ALTER COLUMN id SET DEFAULT nextval('recovery_code_id_seq'::regclass);

ALTER TABLE ONLY schema_version ALTER COLUMN id SET DEFAULT nextval('schema_version_id_seq'::regclass);

ALTER TABLE ONLY season ALTER COLUMN id SET DEFAULT nextval('season_id_seq'::regclass);

ALTER TABLE ONLY staff_session ALTER COLUMN id SET DEFAULT nextval('staff_session_id_seq'::regclass);

ALTER TABLE ONLY throttle ALTER COLUMN id SET DEFAULT nextval('throttle_id_seq'::regclass);

ALTER TABLE ONLY "user" ALTER COLUMN id SET DEFAULT nextval('user_id_seq'::regclass);

ALTER TABLE ONLY venue ALTER COLUMN id SET DEFAULT nextval('venue_id_seq'::regclass);

ALTER TABLE ONLY weekly_pattern ALTER COLUMN id SET DEFAULT nextval('weekly_pattern_id_seq'::regclass);

INSERT INTO availability_version VALUES (1, 0);

INSERT INTO schema_version VALUES (1, 4);

SELECT pg_catalog.setval('availability_version_id_seq', 1, false);

SELECT pg_catalog.setval('booking_id_seq', 1, false);

SELECT pg_catalog.setval('call_event_id_seq', 1, false);

SELECT pg_catalog.setval('consultation_record_id_seq', 1, false);

SELECT pg_catalog.setval('consultation_session_id_seq', 1, false);

SELECT pg_catalog.setval('daily_report_id_seq', 1, false);

SELECT pg_catalog.setval('deletion_certificate_id_seq', 1, false);

SELECT pg_catalog.setval('document_id_seq', 1, false);

SELECT pg_catalog.setval('document_version_id_seq', 1, false);

SELECT pg_catalog.setval('folder_grant_id_seq', 1, false);

SELECT pg_catalog.setval('folder_id_seq', 1, false);

SELECT pg_catalog.setval('holiday_id_seq', 1, false);

SELECT pg_catalog.setval('key_check_id_seq', 1, false);

SELECT pg_catalog.setval('list_notice_id_seq', 1, false);

SELECT pg_catalog.setval('organisation_id_seq', 1, false);

SELECT pg_catalog.setval('record_grant_id_seq', 1, false);

SELECT pg_catalog.setval('record_version_id_seq', 1, false);

SELECT pg_catalog.setval('recovery_code_id_seq', 1, false);

SELECT pg_catalog.setval('schema_version_id_seq', 1, true);

SELECT pg_catalog.setval('season_id_seq', 1, false);

SELECT pg_catalog.setval('staff_session_id_seq', 1, false);

SELECT pg_catalog.setval('throttle_id_seq', 1, false);

SELECT pg_catalog.setval('user_id_seq', 1, false);

SELECT pg_catalog.setval('venue_id_seq', 1, false);

SELECT pg_catalog.setval('weekly_pattern_id_seq', 1, false);

ALTER TABLE ONLY audit_event
    ADD CONSTRAINT audit_event_pkey PRIMARY KEY (seq);

ALTER TABLE ONLY availability_version
    ADD CONSTRAINT availability_version_pkey PRIMARY KEY (id);

ALTER TABLE ONLY booking
    ADD CONSTRAINT booking_pkey PRIMARY KEY (id);

ALTER TABLE ONLY call_event
    ADD CONSTRAINT call_event_pkey PRIMARY KEY (id);

ALTER TABLE ONLY consultation_record
    ADD CONSTRAINT consultation_record_pkey PRIMARY KEY (id);

ALTER TABLE ONLY consultation_session
    ADD CONSTRAINT consultation_session_pkey PRIMARY KEY (id);

ALTER TABLE ONLY daily_report
    ADD CONSTRAINT daily_report_pkey PRIMARY KEY (id);

ALTER TABLE ONLY deletion_certificate
    ADD CONSTRAINT deletion_certificate_pkey PRIMARY KEY (id);

ALTER TABLE ONLY document
    ADD CONSTRAINT document_pkey PRIMARY KEY (id);

ALTER TABLE ONLY document_version
    ADD CONSTRAINT document_version_pkey PRIMARY KEY (id);

ALTER TABLE ONLY folder_grant
    ADD CONSTRAINT folder_grant_pkey PRIMARY KEY (id);

ALTER TABLE ONLY folder
    ADD CONSTRAINT folder_pkey PRIMARY KEY (id);

ALTER TABLE ONLY holiday
    ADD CONSTRAINT holiday_pkey PRIMARY KEY (id);

ALTER TABLE ONLY key_check
    ADD CONSTRAINT key_check_pkey PRIMARY KEY (id);

ALTER TABLE ONLY list_notice
    ADD CONSTRAINT list_notice_pkey PRIMARY KEY (id);

ALTER TABLE ONLY organisation
    ADD CONSTRAINT organisation_pkey PRIMARY KEY (id);

ALTER TABLE ONLY record_attachment
    ADD CONSTRAINT record_attachment_pkey PRIMARY KEY (id);

ALTER TABLE ONLY record_grant
    ADD CONSTRAINT record_grant_pkey PRIMARY KEY (id);

ALTER TABLE ONLY record_version
    ADD CONSTRAINT record_version_pkey PRIMARY KEY (id);

ALTER TABLE ONLY recovery_code
    ADD CONSTRAINT recovery_code_pkey PRIMARY KEY (id);

ALTER TABLE ONLY schema_version
    ADD CONSTRAINT schema_version_pkey PRIMARY KEY (id);

ALTER TABLE ONLY season
    ADD CONSTRAINT season_pkey PRIMARY KEY (id);

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

ALTER TABLE ONLY weekly_pattern
    ADD CONSTRAINT weekly_pattern_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX audit_event_hash ON audit_event USING btree (hash);

CREATE INDEX audit_event_object_type_object_id ON audit_event USING btree (object_type, object_id);

CREATE INDEX booking_created_by_id ON booking USING btree (created_by_id);

CREATE INDEX booking_email_index ON booking USING btree (email_index);

CREATE UNIQUE INDEX booking_idempotency_key ON booking USING btree (idempotency_key);

CREATE INDEX booking_kana_index ON booking USING btree (kana_index);

CREATE UNIQUE INDEX booking_manage_hash ON booking USING btree (manage_hash);

CREATE INDEX booking_phone_index ON booking USING btree (phone_index);

CREATE UNIQUE INDEX booking_reference ON booking USING btree (reference);

CREATE INDEX booking_session_id ON booking USING btree (session_id);

CREATE INDEX call_event_day ON call_event USING btree (day);

CREATE INDEX call_event_taken_by_id ON call_event USING btree (taken_by_id);

CREATE INDEX consultation_record_author_id ON consultation_record USING btree (author_id);

CREATE UNIQUE INDEX consultation_record_booking_id ON consultation_record USING btree (booking_id);

CREATE INDEX consultation_record_deleted_by_id ON consultation_record USING btree (deleted_by_id);

CREATE INDEX consultation_record_follow_up_due ON consultation_record USING btree (follow_up_due);

CREATE INDEX consultation_session_consultant_id ON consultation_session USING btree (consultant_id);

CREATE INDEX consultation_session_date ON consultation_session USING btree (date);

CREATE INDEX consultation_session_venue_id ON consultation_session USING btree (venue_id);

CREATE UNIQUE INDEX consultation_session_venue_id_date_starts_at ON consultation_session USING btree (venue_id, date, starts_at);

CREATE UNIQUE INDEX daily_report_day ON daily_report USING btree (day);

CREATE INDEX daily_report_filed_by_id ON daily_report USING btree (filed_by_id);

CREATE INDEX daily_report_updated_by_id ON daily_report USING btree (updated_by_id);

CREATE INDEX deletion_certificate_destroyed_at ON deletion_certificate USING btree (destroyed_at);

CREATE INDEX deletion_certificate_run ON deletion_certificate USING btree (run);

CREATE INDEX document_created_by_id ON document USING btree (created_by_id);

CREATE INDEX document_daily_report_id ON document USING btree (daily_report_id);

CREATE INDEX document_deleted_at ON document USING btree (deleted_at);

CREATE INDEX document_deleted_by_id ON document USING btree (deleted_by_id);

CREATE INDEX document_folder_id ON document USING btree (folder_id);

CREATE INDEX document_title ON document USING btree (title);

CREATE INDEX document_version_document_id ON document_version USING btree (document_id);

CREATE UNIQUE INDEX document_version_document_id_number ON document_version USING btree (document_id, number);

CREATE INDEX document_version_stored_id ON document_version USING btree (stored_id);

CREATE INDEX document_version_uploaded_by_id ON document_version USING btree (uploaded_by_id);

CREATE INDEX folder_grant_folder_id ON folder_grant USING btree (folder_id);

CREATE INDEX folder_grant_granted_by_id ON folder_grant USING btree (granted_by_id);

CREATE INDEX folder_grant_organisation_id ON folder_grant USING btree (organisation_id);

CREATE INDEX folder_grant_revoked_by_id ON folder_grant USING btree (revoked_by_id);

CREATE INDEX folder_owner_id ON folder USING btree (owner_id);

CREATE UNIQUE INDEX holiday_date ON holiday USING btree (date);

CREATE UNIQUE INDEX key_check_name ON key_check USING btree (name);

CREATE UNIQUE INDEX list_notice_day ON list_notice USING btree (day);

CREATE UNIQUE INDEX organisation_name ON organisation USING btree (name);

CREATE INDEX record_attachment_deleted_by_id ON record_attachment USING btree (deleted_by_id);

CREATE INDEX record_attachment_record_id ON record_attachment USING btree (record_id);

CREATE UNIQUE INDEX record_attachment_stored_id ON record_attachment USING btree (stored_id);

CREATE INDEX record_attachment_uploaded_by_id ON record_attachment USING btree (uploaded_by_id);

CREATE INDEX record_grant_granted_by_id ON record_grant USING btree (granted_by_id);

CREATE INDEX record_grant_grantee_id ON record_grant USING btree (grantee_id);

CREATE INDEX record_grant_record_id ON record_grant USING btree (record_id);

CREATE INDEX record_grant_revoked_by_id ON record_grant USING btree (revoked_by_id);

CREATE INDEX record_version_record_id ON record_version USING btree (record_id);

CREATE UNIQUE INDEX record_version_record_id_version ON record_version USING btree (record_id, version);

CREATE INDEX record_version_saved_by_id ON record_version USING btree (saved_by_id);

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

CREATE INDEX weekly_pattern_consultant_id ON weekly_pattern USING btree (consultant_id);

CREATE INDEX weekly_pattern_venue_id ON weekly_pattern USING btree (venue_id);

ALTER TABLE ONLY booking
    ADD CONSTRAINT booking_created_by_id_fkey FOREIGN KEY (created_by_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY booking
    ADD CONSTRAINT booking_session_id_fkey FOREIGN KEY (session_id) REFERENCES consultation_session(id) ON DELETE RESTRICT;

ALTER TABLE ONLY call_event
    ADD CONSTRAINT call_event_taken_by_id_fkey FOREIGN KEY (taken_by_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY consultation_record
    ADD CONSTRAINT consultation_record_author_id_fkey FOREIGN KEY (author_id) REFERENCES "user"(id) ON DELETE RESTRICT;

ALTER TABLE ONLY consultation_record
    ADD CONSTRAINT consultation_record_booking_id_fkey FOREIGN KEY (booking_id) REFERENCES booking(id) ON DELETE RESTRICT;

ALTER TABLE ONLY consultation_record
    ADD CONSTRAINT consultation_record_deleted_by_id_fkey FOREIGN KEY (deleted_by_id) REFERENCES "user"(id) ON DELETE RESTRICT;

ALTER TABLE ONLY consultation_session
    ADD CONSTRAINT consultation_session_consultant_id_fkey FOREIGN KEY (consultant_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY consultation_session
    ADD CONSTRAINT consultation_session_venue_id_fkey FOREIGN KEY (venue_id) REFERENCES venue(id) ON DELETE RESTRICT;

ALTER TABLE ONLY daily_report
    ADD CONSTRAINT daily_report_filed_by_id_fkey FOREIGN KEY (filed_by_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY daily_report
    ADD CONSTRAINT daily_report_updated_by_id_fkey FOREIGN KEY (updated_by_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY document
    ADD CONSTRAINT document_created_by_id_fkey FOREIGN KEY (created_by_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY document
    ADD CONSTRAINT document_daily_report_id_fkey FOREIGN KEY (daily_report_id) REFERENCES daily_report(id) ON DELETE RESTRICT;

ALTER TABLE ONLY document
    ADD CONSTRAINT document_deleted_by_id_fkey FOREIGN KEY (deleted_by_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY document
    ADD CONSTRAINT document_folder_id_fkey FOREIGN KEY (folder_id) REFERENCES folder(id) ON DELETE RESTRICT;

ALTER TABLE ONLY document_version
    ADD CONSTRAINT document_version_document_id_fkey FOREIGN KEY (document_id) REFERENCES document(id) ON DELETE RESTRICT;

ALTER TABLE ONLY document_version
    ADD CONSTRAINT document_version_stored_id_fkey FOREIGN KEY (stored_id) REFERENCES stored_object(id) ON DELETE RESTRICT;

ALTER TABLE ONLY document_version
    ADD CONSTRAINT document_version_uploaded_by_id_fkey FOREIGN KEY (uploaded_by_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY folder_grant
    ADD CONSTRAINT folder_grant_folder_id_fkey FOREIGN KEY (folder_id) REFERENCES folder(id) ON DELETE CASCADE;

ALTER TABLE ONLY folder_grant
    ADD CONSTRAINT folder_grant_granted_by_id_fkey FOREIGN KEY (granted_by_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY folder_grant
    ADD CONSTRAINT folder_grant_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisation(id) ON DELETE CASCADE;

ALTER TABLE ONLY folder_grant
    ADD CONSTRAINT folder_grant_revoked_by_id_fkey FOREIGN KEY (revoked_by_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY folder
    ADD CONSTRAINT folder_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES organisation(id) ON DELETE RESTRICT;

ALTER TABLE ONLY record_attachment
    ADD CONSTRAINT record_attachment_deleted_by_id_fkey FOREIGN KEY (deleted_by_id) REFERENCES "user"(id) ON DELETE RESTRICT;

ALTER TABLE ONLY record_attachment
    ADD CONSTRAINT record_attachment_record_id_fkey FOREIGN KEY (record_id) REFERENCES consultation_record(id) ON DELETE RESTRICT;

ALTER TABLE ONLY record_attachment
    ADD CONSTRAINT record_attachment_stored_id_fkey FOREIGN KEY (stored_id) REFERENCES stored_object(id) ON DELETE RESTRICT;

ALTER TABLE ONLY record_attachment
    ADD CONSTRAINT record_attachment_uploaded_by_id_fkey FOREIGN KEY (uploaded_by_id) REFERENCES "user"(id) ON DELETE RESTRICT;

ALTER TABLE ONLY record_grant
    ADD CONSTRAINT record_grant_granted_by_id_fkey FOREIGN KEY (granted_by_id) REFERENCES "user"(id) ON DELETE RESTRICT;

ALTER TABLE ONLY record_grant
    ADD CONSTRAINT record_grant_grantee_id_fkey FOREIGN KEY (grantee_id) REFERENCES "user"(id) ON DELETE RESTRICT;

ALTER TABLE ONLY record_grant
    ADD CONSTRAINT record_grant_record_id_fkey FOREIGN KEY (record_id) REFERENCES consultation_record(id) ON DELETE RESTRICT;

ALTER TABLE ONLY record_grant
    ADD CONSTRAINT record_grant_revoked_by_id_fkey FOREIGN KEY (revoked_by_id) REFERENCES "user"(id) ON DELETE RESTRICT;

ALTER TABLE ONLY record_version
    ADD CONSTRAINT record_version_record_id_fkey FOREIGN KEY (record_id) REFERENCES consultation_record(id) ON DELETE RESTRICT;

ALTER TABLE ONLY record_version
    ADD CONSTRAINT record_version_saved_by_id_fkey FOREIGN KEY (saved_by_id) REFERENCES "user"(id) ON DELETE RESTRICT;

ALTER TABLE ONLY recovery_code
    ADD CONSTRAINT recovery_code_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user"(id) ON DELETE CASCADE;

ALTER TABLE ONLY staff_session
    ADD CONSTRAINT staff_session_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user"(id) ON DELETE CASCADE;

ALTER TABLE ONLY "user"
    ADD CONSTRAINT user_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisation(id) ON DELETE RESTRICT;

ALTER TABLE ONLY weekly_pattern
    ADD CONSTRAINT weekly_pattern_consultant_id_fkey FOREIGN KEY (consultant_id) REFERENCES "user"(id) ON DELETE SET NULL;

ALTER TABLE ONLY weekly_pattern
    ADD CONSTRAINT weekly_pattern_venue_id_fkey FOREIGN KEY (venue_id) REFERENCES venue(id) ON DELETE CASCADE;
