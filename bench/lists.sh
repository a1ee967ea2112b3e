#!/usr/bin/env bash
# Lists at the speed of a bare handler: the calls partner sites make most (upcoming events,
# latest documents, experts of a theme, items by slug), read by the public and by a member,
# measured with wrk against relais and, alternating in the same run, against bench/floor (the
# same page SQL behind a bare actix-web + tokio-postgres handler: no total, no auth).
#
#   bash bench/lists.sh
#
# Each data set is a database of the private cluster in bench/.data: the seed, 100,000
# documents, 10,000 actors and BENCH_SIZES events (default 100000; the README's table is
# BENCH_SIZES="10000 100000 1000000"). Generated once, kept for the next runs. Settings:
# BENCH_SECONDS (default 10 a measure), BENCH_ROUNDS (default 2), BENCH_CONNECTIONS (default
# 32), BENCH_CALLS (a regular expression: only the calls it names, e.g. '^event'), BENCH_PORT
# (default 18080; the floor listens on the next port), RELAIS_BIN, FLOOR_BIN.
# Each call is first run for 2 seconds on each server, unmeasured (a warm-up).
# Prints a Markdown table: throughput, p50, p99 and the server's peak RSS for each call.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${BENCH_SIZES:-100000}
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-2}
connections=${BENCH_CONNECTIONS:-32}
port=${BENCH_PORT:-18080}
relais_base="http://127.0.0.1:$port"
floor_base="http://127.0.0.1:$((port + 1))"

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    else
        echo "wrk is needed: apt-get install wrk" >&2
        exit 1
    fi
fi
bin=${RELAIS_BIN:-target/release/relais}
floor_bin=${FLOOR_BIN:-target/release/relais-floor}
[ -n "${RELAIS_BIN:-}${FLOOR_BIN:-}" ] || cargo build --release --quiet -p relais -p relais-floor
export RELAIS_DATA_DIR=bench/.data RUST_LOG=warn
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

# This server holds the private cluster up for the run (it stops it when it exits); each data
# set is another database of that cluster.
RELAIS_BIND="127.0.0.1:$((port + 2))" "$bin" serve &
pids+=($!)
ready "http://127.0.0.1:$((port + 2))/health/ready"
cluster="postgres://postgres:$(cat bench/.data/pg-password)@127.0.0.1:$(sed -n 4p bench/.data/pg/postmaster.pid)"

today=$(date -u +%F)
password=banc-mot-de-passe-2026
member=membre@banc.example.fr

# name role path: the floor serves each as GET /name.
calls() {
    local middle=$(($1 / 2))
    for role in public member; do
        local suffix=""
        [ "$role" = public ] || suffix="-member"
        cat <<EOF
events-upcoming$suffix $role /api/v1/events?from=$today&sort=starts_at
events-of-a-centre$suffix $role /api/v1/events?centre=pole-relais-zones-humides&from=$today&sort=starts_at
events-of-a-theme$suffix $role /api/v1/events?theme=eau-et-milieux-aquatiques&from=$today
documents-latest$suffix $role /api/v1/documents
documents-kind-theme$suffix $role /api/v1/documents?kind=guide&theme=biodiversite
actors-experts$suffix $role /api/v1/actors?is_expert=true&theme=zones-humides
events-facets$suffix $role /api/v1/events?from=$today&facets=theme,kind
EOF
    done
    echo "event-by-slug public /api/v1/events/banc-evenement-$((middle + 3))"
    echo "document-by-slug public /api/v1/documents/banc-document-50003"
}

# wrk at $connections connections on $1 (a base URL) and $2 (a path), with the header $4 if
# any; prints "req/s p50 p99 peak-RSS-MiB", the RSS of process $3 sampled every 200 ms.
measure() {
    local base=$1 path=$2 pid=$3 header=${4:-}
    echo "$path" >"$work/path"
    (while kill -0 "$pid" 2>/dev/null; do
        awk '/VmRSS/ {print $2}' "/proc/$pid/status"
        sleep 0.2
    done) >"$work/rss" &
    local sampler=$!
    local out
    out=$(BENCH_PATHS="$work/path" wrk -t2 -c"$connections" -d"${seconds}s" \
        ${header:+-H "$header"} -s bench/rotate.lua "$base" 2>&1 | sed -n 's/^RESULT //p')
    kill "$sampler" 2>/dev/null
    wait "$sampler" 2>/dev/null || true
    local peak
    peak=$(sort -n "$work/rss" | tail -1)
    # RESULT p50 p90 p99 mean rps errors
    read -r p50 _ p99 _ rps errors <<<"$out"
    [ "$errors" = 0 ] || echo "warning: $errors errors on $base$path" >&2
    echo "$rps $p50 $p99 $((peak / 1024))"
}

# The better of two measures "req/s …": the round least disturbed by the machine.
better() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); print (x[1] + 0 >= y[1] + 0 ? a : b) }'; }

echo "| events | call | relais req/s | p50 ms | p99 ms | RSS MiB | floor req/s | p50 ms | p99 ms | ratio |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for size in $sizes; do
    db=relais_bench_events_$size
    url="$cluster/$db"
    if [ -z "$(psql -At "$cluster/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
        psql -q "$cluster/postgres" -c "CREATE DATABASE $db"
    fi
    DATABASE_URL=$url "$bin" migrate >/dev/null
    DATABASE_URL=$url "$bin" seed >/dev/null
    psql -q "$url" -f bench/documents.sql
    psql -q "$url" -f bench/actors.sql
    psql -q "$url" -v events="$size" -f bench/events.sql
    echo "$password" | DATABASE_URL=$url "$bin" create-user --email "$member" --role member \
        >/dev/null 2>&1 || true

    calls "$size" | grep -E "${BENCH_CALLS:-.}" >"$work/calls"
    DATABASE_URL=$url RELAIS_BIND="127.0.0.1:$port" "$bin" serve &
    relais=$!
    pids+=("$relais")
    DATABASE_URL=$url FLOOR_BIND="127.0.0.1:$((port + 1))" FLOOR_CALLS="$work/calls" "$floor_bin" &
    floor=$!
    pids+=("$floor")
    ready "$relais_base/health/ready"
    ready "$floor_base/$(head -1 "$work/calls" | cut -d" " -f1)"
    refresh=$(curl -fs "$relais_base/api/v1/auth/token" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$member\",\"password\":\"$password\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["refresh_token"])')

    while read -r name role path; do
        header=""
        if [ "$role" = member ]; then
            # A fresh access token (they last 15 minutes), by the refresh token's rotation.
            read -r access refresh < <(curl -fs "$relais_base/api/v1/auth/refresh" \
                -H 'Content-Type: application/json' -d "{\"refresh_token\":\"$refresh\"}" |
                python3 -c 'import json,sys; t=json.load(sys.stdin); print(t["access_token"], t["refresh_token"])')
            header="Authorization: Bearer $access"
        fi
        for url in "$relais_base$path" "$floor_base/$name"; do
            status=$(curl -s -o /dev/null -w '%{http_code}' ${header:+-H "$header"} "$url")
            [ "$status" = 200 ] || { echo "$url answers $status" >&2; exit 1; }
        done
        # Unmeasured, 2 seconds each: every connection prepares and first plans the call's
        # statements (tens of milliseconds on a backend's first use), as a running server has.
        for url in "$relais_base$path" "$floor_base/$name"; do
            wrk -t2 -c"$connections" -d2s ${header:+-H "$header"} "$url" >/dev/null 2>&1
        done
        best_relais="0 0 0 0"
        best_floor="0 0 0 0"
        for _ in $(seq "$rounds"); do
            best_relais=$(better "$best_relais" "$(measure "$relais_base" "$path" "$relais" "$header")")
            best_floor=$(better "$best_floor" "$(measure "$floor_base" "/$name" "$floor")")
        done
        read -r rr r50 r99 rrss <<<"$best_relais"
        read -r fr f50 f99 _ <<<"$best_floor"
        ratio=$(python3 -c "print(f'{$rr / $fr:.2f}x')")
        echo "| $size | \`$name\` | $rr | $r50 | $r99 | $rrss | $fr | $f50 | $f99 | $ratio |"
    done <"$work/calls"
    kill "$relais" "$floor"
    wait "$relais" "$floor" 2>/dev/null || true
done
