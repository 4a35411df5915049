-- Release 0 (commit 5c64f86, schema version 0): the schema that release's migrate() builds on an empty SQLite database.
-- Frozen test fixture dumped with sqlite3 .schema plus the seeded rows; do not edit.

CREATE TABLE IF NOT EXISTS "audit_event" ("seq" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, "actor_id" INTEGER, "action" VARCHAR(60) NOT NULL, "object_type" VARCHAR(40), "object_id" VARCHAR(64), "client" VARCHAR(45), "outcome" VARCHAR(20) NOT NULL, "prev_hash" VARCHAR(64) NOT NULL, "hash" VARCHAR(64) NOT NULL);
CREATE UNIQUE INDEX "audit_event_hash" ON "audit_event" ("hash");
CREATE TABLE IF NOT EXISTS "venue" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(200) NOT NULL, "ward" VARCHAR(50) NOT NULL, "address" VARCHAR(300) NOT NULL, "access_notes" TEXT NOT NULL, "what_to_bring" TEXT NOT NULL, "map_url" VARCHAR(500) NOT NULL, "active" INTEGER NOT NULL);
CREATE INDEX "venue_ward" ON "venue" ("ward");
CREATE TABLE IF NOT EXISTS "organisation" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(200) NOT NULL, "contract_ends_on" DATE, "created_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "organisation_name" ON "organisation" ("name");
CREATE TABLE IF NOT EXISTS "user" ("id" INTEGER NOT NULL PRIMARY KEY, "email" VARCHAR(254) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, "role" VARCHAR(20) NOT NULL, "organisation_id" INTEGER NOT NULL, "totp_secret" BLOB, "totp_last_step" INTEGER NOT NULL, "expires_on" DATE, "disabled_at" DATETIME, "created_at" DATETIME NOT NULL, FOREIGN KEY ("organisation_id") REFERENCES "organisation" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "user_email" ON "user" ("email");
CREATE INDEX "user_organisation_id" ON "user" ("organisation_id");
CREATE TABLE IF NOT EXISTS "consultation_session" ("id" INTEGER NOT NULL PRIMARY KEY, "venue_id" INTEGER NOT NULL, "date" DATE NOT NULL, "starts_at" TIME NOT NULL, "ends_at" TIME NOT NULL, "capacity" INTEGER NOT NULL, "taken" INTEGER NOT NULL, "consultant_id" INTEGER, "status" VARCHAR(20) NOT NULL, FOREIGN KEY ("venue_id") REFERENCES "venue" ("id") ON DELETE RESTRICT, FOREIGN KEY ("consultant_id") REFERENCES "user" ("id") ON DELETE SET NULL);
CREATE INDEX "consultation_session_venue_id" ON "consultation_session" ("venue_id");
CREATE INDEX "consultation_session_date" ON "consultation_session" ("date");
CREATE INDEX "consultation_session_consultant_id" ON "consultation_session" ("consultant_id");
CREATE TABLE IF NOT EXISTS "booking" ("id" INTEGER NOT NULL PRIMARY KEY, "session_id" INTEGER NOT NULL, "channel" VARCHAR(10) NOT NULL, "status" VARCHAR(20) NOT NULL, "reference" VARCHAR(12) NOT NULL, "idempotency_key" VARCHAR(64), "sealed" BLOB, "programmes" VARCHAR(200) NOT NULL, "manage_hash" VARCHAR(64), "manage_valid_until" DATE, "decline_reason" TEXT, "created_by_id" INTEGER, "created_at" DATETIME NOT NULL, FOREIGN KEY ("session_id") REFERENCES "consultation_session" ("id") ON DELETE RESTRICT, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL);
CREATE INDEX "booking_session_id" ON "booking" ("session_id");
CREATE UNIQUE INDEX "booking_reference" ON "booking" ("reference");
CREATE UNIQUE INDEX "booking_idempotency_key" ON "booking" ("idempotency_key");
CREATE UNIQUE INDEX "booking_manage_hash" ON "booking" ("manage_hash");
CREATE INDEX "booking_created_by_id" ON "booking" ("created_by_id");
CREATE TABLE IF NOT EXISTS "key_check" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(40) NOT NULL, "check" BLOB NOT NULL, "created_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "key_check_name" ON "key_check" ("name");
CREATE TABLE IF NOT EXISTS "recovery_code" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "code_hash" VARCHAR(64) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE);
CREATE INDEX "recovery_code_user_id" ON "recovery_code" ("user_id");
CREATE UNIQUE INDEX "recovery_code_code_hash" ON "recovery_code" ("code_hash");
CREATE TABLE IF NOT EXISTS "schema_version" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS "staff_session" ("id" INTEGER NOT NULL PRIMARY KEY, "token_hash" VARCHAR(64) NOT NULL, "user_id" INTEGER NOT NULL, "client" VARCHAR(45) NOT NULL, "created_at" DATETIME NOT NULL, "last_seen_at" DATETIME NOT NULL, "revoked_at" DATETIME, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE);
CREATE UNIQUE INDEX "staff_session_token_hash" ON "staff_session" ("token_hash");
CREATE INDEX "staff_session_user_id" ON "staff_session" ("user_id");
CREATE TABLE IF NOT EXISTS "stored_object" ("id" TEXT NOT NULL PRIMARY KEY, "storage_key" VARCHAR(80) NOT NULL, "backend" VARCHAR(20) NOT NULL, "kind" VARCHAR(30) NOT NULL, "size" INTEGER NOT NULL, "sha256" VARCHAR(64) NOT NULL, "format" INTEGER NOT NULL, "kek_id" VARCHAR(20) NOT NULL, "wrapped_key" BLOB NOT NULL, "created_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "stored_object_storage_key" ON "stored_object" ("storage_key");
CREATE INDEX "stored_object_kek_id" ON "stored_object" ("kek_id");
CREATE TABLE IF NOT EXISTS "throttle" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(80) NOT NULL, "failures" INTEGER NOT NULL, "blocked_until" DATETIME, "updated_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "throttle_key" ON "throttle" ("key");
INSERT INTO schema_version VALUES(1,0);
