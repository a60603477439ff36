#!/bin/sh
# Temporal's schema, set up by Temporal's own SQL tool (temporal-sql-tool, in the admin-tools
# image): create each database if missing, set the base version, then apply every versioned
# schema change up to the image's version. Safe to run on every start and after an upgrade of
# the Temporal images (update-schema applies only the versions not yet applied).
set -eu
SQL_PASSWORD="$(cat /run/secrets/temporal-db-password)"
export SQL_PASSWORD
schema=/etc/temporal/schema/postgresql/v12
tool() {
  temporal-sql-tool --plugin postgres12 --ep "${POSTGRES_HOST:-postgres}" -p "${POSTGRES_PORT:-5432}" \
    -u temporal "$@"
}
for pair in temporal:temporal temporal_visibility:visibility; do
  db="${pair%%:*}"
  dir="${pair##*:}"
  tool --db "$db" create-database || echo "database $db exists"
  tool --db "$db" setup-schema -v 0.0
  tool --db "$db" update-schema -d "$schema/$dir/versioned"
done
