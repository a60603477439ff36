#!/bin/sh
# Registers Fengqiao's namespace with its retention (how long Temporal keeps a closed case's
# history; the workers archive each closed run into the database well before that), once the
# frontend answers. Run before the API and the workers start; an existing namespace keeps its
# settings except the retention, which is brought to the configured value.
set -eu
namespace="${FENGQIAO_TEMPORAL_NAMESPACE:?}"
retention="${TEMPORAL_RETENTION:?}"
cli() {
  temporal --address temporal:7233 --tls-ca-path /run/secrets/temporal-ca \
    --tls-cert-path /run/secrets/admin-cert --tls-key-path /run/secrets/admin-key \
    --tls-server-name temporal "$@"
}
tries=0
until cli operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 120 ] || { echo "Temporal did not answer" >&2; exit 1; }
  sleep 2
done
if cli operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  cli operator namespace update --namespace "$namespace" --retention "$retention"
else
  cli operator namespace create --namespace "$namespace" --retention "$retention"
fi
