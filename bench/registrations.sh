#!/usr/bin/env bash
# Registrations under load: BENCH_CONNECTIONS (default 32) members at once register for one
# event of BENCH_CAPACITY places (default 1000), each request a new member, for BENCH_SECONDS
# (default 10), against the release build on a database of the private cluster in bench/.data
# with 100,000 member accounts. Then checks what the database holds: exactly the capacity
# confirmed, the waitlist numbered 1..n without a gap.
#
#   bash bench/registrations.sh
#
# Prints a Markdown table: registrations per second, p50, p99, the server's peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-32}
capacity=${BENCH_CAPACITY:-1000}
port=${BENCH_PORT:-18080}
base="http://127.0.0.1:$port"

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    else
        echo "wrk is needed: apt-get install wrk" >&2
        exit 1
    fi
fi
bin=${RELAIS_BIN:-target/release/relais}
tokens_bin=${TOKENS_BIN:-target/release/tokens}
[ -n "${RELAIS_BIN:-}${TOKENS_BIN:-}" ] || cargo build --release --quiet -p relais -p relais-floor
export RELAIS_DATA_DIR=bench/.data RUST_LOG=warn
# A secret of the run, shared by the server and the token maker.
export RELAIS_JWT_SECRET="banc-inscriptions-$(date +%s)-secret-de-trente-deux-octets"
work=$(mktemp -d)
pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
trap 'stop; rm -rf "$work"' EXIT
ready() {
    for _ in $(seq 150); do
        curl -fs -o /dev/null "$1" && return 0
        sleep 0.2
    done
    echo "$1 does not answer" >&2
    exit 1
}

# This server holds the private cluster up for the run; the data set is a database of it.
RELAIS_BIND="127.0.0.1:$((port + 2))" "$bin" serve &
pids+=($!)
ready "http://127.0.0.1:$((port + 2))/health/ready"
cluster="postgres://postgres:$(cat bench/.data/pg-password)@127.0.0.1:$(sed -n 4p bench/.data/pg/postmaster.pid)"
db=relais_bench_registrations
url="$cluster/$db"
if [ -z "$(psql -At "$cluster/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    psql -q "$cluster/postgres" -c "CREATE DATABASE $db"
fi
DATABASE_URL=$url "$bin" migrate >/dev/null
DATABASE_URL=$url "$bin" seed >/dev/null
psql -q "$url" -c "INSERT INTO users (email, password_hash, role)
    SELECT 'membre-' || n || '@banc.example.fr', 'sans-objet', 'member'
    FROM generate_series(1, 100000) n ON CONFLICT DO NOTHING"
psql -At "$url" -c "SELECT id FROM users WHERE email LIKE 'membre-%@banc.example.fr'" |
    "$tokens_bin" >"$work/tokens"
# A new event each run, of $capacity places, open to members.
event=$(psql -qAt "$url" -c "INSERT INTO events (slug, title, kind, centre_id, starts_at, ends_at, format, status, capacity)
    SELECT 'banc-inscriptions-' || extract(epoch FROM now())::bigint, 'Jeudi du banc d''essai', 'rencontre',
           (SELECT id FROM centres ORDER BY slug LIMIT 1), now() + interval '30 days',
           now() + interval '30 days 3 hours', 'online', 'published', $capacity
    RETURNING id")

DATABASE_URL=$url RELAIS_BIND="127.0.0.1:$port" "$bin" serve &
relais=$!
pids+=("$relais")
ready "$base/health/ready"
(while kill -0 "$relais" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$relais/status"
    sleep 0.2
done) >"$work/rss" &
sampler=$!
out=$(BENCH_TOKENS="$work/tokens" BENCH_PATH="/api/v1/events/$event/registrations" \
    wrk -t2 -c"$connections" -d"${seconds}s" -s bench/register.lua "$base" 2>&1 | sed -n 's/^RESULT //p')
kill "$sampler" 2>/dev/null || true
read -r p50 _ p99 _ rps errors requests <<<"$out"
peak=$(sort -n "$work/rss" | tail -1)

# What the database holds: never over capacity, the waitlist without gaps or repeats.
read -r confirmed waitlisted positions_ok <<<"$(psql -At -F ' ' "$url" -c "
    SELECT count(*) FILTER (WHERE status = 'confirmed'), count(*) FILTER (WHERE status = 'waitlisted'),
           (SELECT array_agg(position::bigint ORDER BY position) = array_agg(n ORDER BY n)
            FROM (SELECT position, row_number() OVER (ORDER BY position) AS n
                  FROM registration_rows WHERE event_id = '$event' AND status = 'waitlisted') w)
    FROM registrations WHERE event_id = '$event'")"
echo "| connections | registrations/s | p50 ms | p99 ms | RSS MiB | requests | errors | confirmed | waitlisted | waitlist 1..n |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
echo "| $connections | $rps | $p50 | $p99 | $((peak / 1024)) | $requests | $errors | $confirmed / $capacity | $waitlisted | $positions_ok |"
[ "$errors" = 0 ] && [ "$confirmed" -le "$capacity" ] && [ "$positions_ok" != f ]
