-- Release 0 (commit 14b1f0f, schema version 0): the schema that release's migrate() builds on an empty SQLite database.
-- Frozen test fixture dumped with sqlite3 .schema plus the seeded rows; do not edit.

CREATE TABLE IF NOT EXISTS "audit_event" ("seq" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, "actor_id" INTEGER, "action" VARCHAR(60) NOT NULL, "object_type" VARCHAR(40), "object_id" VARCHAR(64), "client" VARCHAR(45), "outcome" VARCHAR(20) NOT NULL, "prev_hash" VARCHAR(64) NOT NULL, "hash" VARCHAR(64) NOT NULL);
CREATE UNIQUE INDEX "audit_event_hash" ON "audit_event" ("hash");
CREATE TABLE IF NOT EXISTS "organisation" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(200) NOT NULL, "contract_ends_on" DATE, "created_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "organisation_name" ON "organisation" ("name");
CREATE TABLE IF NOT EXISTS "user" ("id" INTEGER NOT NULL PRIMARY KEY, "email" VARCHAR(254) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, "role" VARCHAR(20) NOT NULL, "organisation_id" INTEGER NOT NULL, "totp_secret" BLOB, "totp_pending" BLOB, "totp_last_step" INTEGER NOT NULL, "expires_on" DATE, "disabled_at" DATETIME, "created_at" DATETIME NOT NULL, FOREIGN KEY ("organisation_id") REFERENCES "organisation" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "user_email" ON "user" ("email");
CREATE INDEX "user_organisation_id" ON "user" ("organisation_id");
CREATE TABLE IF NOT EXISTS "recovery_code" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "code_hash" VARCHAR(64) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE);
CREATE INDEX "recovery_code_user_id" ON "recovery_code" ("user_id");
CREATE UNIQUE INDEX "recovery_code_code_hash" ON "recovery_code" ("code_hash");
CREATE TABLE IF NOT EXISTS "schema_version" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS "staff_session" ("id" INTEGER NOT NULL PRIMARY KEY, "token_hash" VARCHAR(64) NOT NULL, "user_id" INTEGER NOT NULL, "client" VARCHAR(45) NOT NULL, "created_at" DATETIME NOT NULL, "last_seen_at" DATETIME NOT NULL, "revoked_at" DATETIME, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE);
CREATE UNIQUE INDEX "staff_session_token_hash" ON "staff_session" ("token_hash");
CREATE INDEX "staff_session_user_id" ON "staff_session" ("user_id");
CREATE TABLE IF NOT EXISTS "throttle" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(80) NOT NULL, "failures" INTEGER NOT NULL, "blocked_until" DATETIME, "updated_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "throttle_key" ON "throttle" ("key");
INSERT INTO schema_version VALUES(1,0);
