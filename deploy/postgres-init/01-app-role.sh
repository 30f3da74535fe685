#!/bin/sh
# Run once by the postgres image when it creates the database (docker-entrypoint-initdb.d):
# the role the server connects as. It owns nothing, so Row Level Security holds it; the server
# migrates as the owner (POSTGRES_USER, DATABASE_OWNER_URL) and grants it what it needs.
# An existing volume skips this: run the CREATE ROLE yourself (docs/self-hosting/postgresql.md).
set -eu
psql -v ON_ERROR_STOP=1 -v app_password="$LLMOBSERVE_APP_PASSWORD" \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE llmobserve_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
    PASSWORD :'app_password';
SQL
