#!/usr/bin/env bash
# schemathesis against relais, as the public, a member and an admin: all checks, the phases
# examples, coverage, fuzzing and stateful, 25 examples an operation, seed 7.
#
#   bash tests/schemathesis/run.sh            # builds relais, serves the demo data, runs
#
# Each run's report goes to target/schemathesis/<role>.txt; the exit status is 0 only when no
# run found anything.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out=$root/target/schemathesis
data=$(mktemp -d /tmp/relais-schemathesis.XXXXXX)
port=${SCHEMATHESIS_PORT:-18095}
base=http://127.0.0.1:$port
mkdir -p "$out"
[ "$(id -u)" = 0 ] && chmod 755 "$data"

command -v schemathesis >/dev/null || python3 -m pip install -q 'schemathesis==4.32.*'
cargo build -q
relais=$root/target/debug/relais

cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

export RELAIS_DATA_DIR=$data RELAIS_BIND=127.0.0.1:$port RUST_LOG=warn
# The runs log in once each; the limiter is not what they test.
export RELAIS_LOGIN_MAX_PER_ACCOUNT=100000 RELAIS_LOGIN_MAX_PER_ADDRESS=100000
"$relais" serve >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  curl -sf "$base/health/ready" >/dev/null && break
  sleep 0.2
done
password=un-mot-de-passe-solide
echo "$password" | "$relais" create-user --email admin@example.fr --role admin >/dev/null
echo "$password" | "$relais" create-user --email membre@example.fr --role member >/dev/null
token() {
  curl -sf "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

status=0
cd tests/schemathesis
for role in public member admin; do
  auth=()
  case $role in
    member) auth=(-H "Authorization: Bearer $(token membre@example.fr)") ;;
    admin) auth=(-H "Authorization: Bearer $(token admin@example.fr)") ;;
  esac
  if PYTHONPATH=. SCHEMATHESIS_HOOKS=hooks schemathesis run "$base/openapi.json" \
      --checks all --phases examples,coverage,fuzzing,stateful -n 25 --seed 7 -w 2 \
      "${auth[@]}" >"$out/$role.txt" 2>&1; then
    echo "schemathesis as $role: nothing found"
  else
    status=1
    echo "schemathesis as $role: $(grep -E '^=+ .* in ' "$out/$role.txt" | tr -d '=' | xargs)"
    grep -A8 '^Failures:' "$out/$role.txt" | grep '❌' || true
  fi
done
exit $status
