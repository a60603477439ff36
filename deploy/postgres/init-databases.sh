#!/bin/sh
# Runs once, when PostgreSQL initialises an empty data directory (docker-entrypoint-initdb.d):
# the role and database of Fengqiao, and the role Temporal's schema tool creates its two
# databases with. Passwords come from compose secrets (files under /run/secrets, filled from the
# environment), never from this file.
set -eu
fengqiao_password="$(cat /run/secrets/fengqiao-db-password)"
app_password="$(cat /run/secrets/fengqiao-app-db-password)"
temporal_password="$(cat /run/secrets/temporal-db-password)"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v fengqiao_password="$fengqiao_password" -v app_password="$app_password" \
  -v temporal_password="$temporal_password" <<'SQL'
CREATE ROLE fengqiao LOGIN PASSWORD :'fengqiao_password';
CREATE DATABASE fengqiao OWNER fengqiao;
-- The API and workers: granted rows' verbs by `fengqiao migrate`, owner of nothing.
CREATE ROLE fengqiao_app LOGIN PASSWORD :'app_password';
-- temporal-sql-tool creates the temporal and temporal_visibility databases itself.
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
SQL
