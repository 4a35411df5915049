-- The staff zone's login role and the database, run once as the postgres superuser:
--   psql -v staff_password="'…'" -f deploy/postgresql/roles.sql
-- The public zone's role is made by `portal db public-role madoguchi_public` (run as the staff
-- zone, password on standard input): it holds exactly the public store's grants, nothing else.
CREATE ROLE madoguchi_staff LOGIN PASSWORD :staff_password;
CREATE DATABASE madoguchi OWNER madoguchi_staff;
\connect madoguchi
-- Nobody but the owner may create anything in the public schema; each zone has a schema of its own.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE madoguchi FROM PUBLIC;
CREATE SCHEMA madoguchi_staff AUTHORIZATION madoguchi_staff;
CREATE SCHEMA madoguchi_public AUTHORIZATION madoguchi_staff;
