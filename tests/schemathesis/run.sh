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

command -v schemathesis >/dev/null || python3 -m pip install -q 'schemathesis==4.32.5'
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

# The exceptions of schemathesis.toml are the rules each operation's description names.
python3 - "$base/openapi.json" tests/schemathesis/schemathesis.toml <<'PY'
import json, re, sys, tomllib, urllib.request
spec = json.load(urllib.request.urlopen(sys.argv[1]))
named = {}
for path, item in spec["paths"].items():
    for method, operation in item.items():
        rules = (operation.get("description") or "").partition("Beyond what its schema states:")[2]
        if rules:
            named[f"{method.upper()} {path}"] = set(re.findall(r"\(else `(\d{3})`\)", rules))
excused = {}
for entry in tomllib.load(open(sys.argv[2], "rb")).get("operations", []):
    statuses = entry["checks"]["positive_data_acceptance"]["expected-statuses"]
    excused[entry["include-name"]] = {str(s) for s in statuses} - {"2xx", "3xx", "401", "403", "404", "409", "429", "5xx"}
if named != excused:
    for name in sorted(set(named) | set(excused)):
        if named.get(name) != excused.get(name):
            print(f"{name}: the spec names {sorted(named.get(name, []))}, schemathesis.toml excuses {sorted(excused.get(name, []))}")
    sys.exit(1)
print(f"schemathesis.toml excuses the rules {len(named)} operations name, and no other")
PY

status=0
for role in public member admin; do
  config=$out/$role.toml
  cp tests/schemathesis/schemathesis.toml "$config"
  case $role in
    member) printf '\n[auth.openapi.bearer]\nbearer = "%s"\n' "$(token membre@example.fr)" >>"$config" ;;
    admin) printf '\n[auth.openapi.bearer]\nbearer = "%s"\n' "$(token admin@example.fr)" >>"$config" ;;
  esac
  if PYTHONPATH=tests/schemathesis SCHEMATHESIS_HOOKS=hooks schemathesis --config-file "$config" \
      run "$base/openapi.json" \
      --checks all --phases examples,coverage,fuzzing,stateful -n 25 --seed 7 -w 2 \
      >"$out/$role.txt" 2>&1; then
    echo "schemathesis as $role: nothing found"
  else
    status=1
    echo "schemathesis as $role: $(grep -E '^=+ .* in ' "$out/$role.txt" | tr -d '=' | xargs)"
    grep -A8 '^Failures:' "$out/$role.txt" | grep '❌' || true
  fi
  # Every operation that needs an item is reached by an OpenAPI link from the one creating it.
  if grep -q 'No links point to' "$out/$role.txt"; then
    status=1
    echo "schemathesis as $role: operations no link leads to:"
    grep -A12 'No links point to' "$out/$role.txt" | grep '^  - ' | sort -u
  fi
done
exit $status
