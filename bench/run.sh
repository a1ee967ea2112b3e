#!/usr/bin/env bash
# French search under load: `q=` on /documents and GET /search over 100,000 documents, plus
# keyset paging at depth, measured with wrk against the release build.
#
#   bash bench/run.sh
#
# Without DATABASE_URL it uses a private PostgreSQL cluster of its own in bench/.data (the same
# machinery as `relais serve`); with DATABASE_URL, that database (it gets the seed and the
# 100,000 documents). Settings: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 1),
# BENCH_PORT (default 18080), RELAIS_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-1}
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
# RELAIS_BIN: a binary to measure instead of this checkout's release build.
bin=${RELAIS_BIN:-target/release/relais}
[ -n "${RELAIS_BIN:-}" ] || cargo build --release --quiet
export RELAIS_DATA_DIR=bench/.data RELAIS_BIND="127.0.0.1:$port" RUST_LOG=warn

"$bin" seed >/dev/null
"$bin" serve &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    curl -fs "$base/health/ready" >/dev/null 2>&1 && break
    sleep 0.2
done

if [ -n "${DATABASE_URL:-}" ]; then
    url=$DATABASE_URL
else
    pg_port=$(sed -n 4p bench/.data/pg/postmaster.pid)
    url="postgres://postgres:$(cat bench/.data/pg-password)@127.0.0.1:$pg_port/relais"
fi
psql -q "$url" -f bench/documents.sql
documents=$(psql -At "$url" -c "SELECT count(*) FROM documents")

# A cursor 80,000 rows deep into the documents by publication date, built as the API builds
# them, to compare with the same depth by `page=`.
deep=$(psql -At "$url" -c "SELECT published_on || ' ' || id FROM documents
    WHERE status = 'published' AND audience = 'public'
    ORDER BY published_on DESC NULLS LAST, id OFFSET 79999 LIMIT 1")
cursor=$(printf '{"s":"-published_on","v":["%s","%s"]}' ${deep} | base64 -w0 | tr '+/' '-_' | tr -d '=')

paths=$(mktemp -d)
# Broad queries each match 4 to 10 % of the corpus (a theme of the network); specific ones, a
# species, a river or a town, under 1 %.
broad=("zones humides" "ecologique" "mares" "tiers-lieux" "revitalisation centre-bourg"
    "especes envahissantes" "restauration cours d'eau" "haies bocageres" "mobilite rurale"
    "pollinisateurs")
specific=("castor" "jussie" "loutre Dordogne" "sonneur ventre jaune" "Millau" "roseliere"
    "chaufferie bois" "cantine scolaire" "desman" "saumon atlantique")
encode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
for q in "${broad[@]}"; do
    echo "/api/v1/documents?q=$(encode "$q")" >>"$paths/documents-q-broad"
    echo "/api/v1/search?q=$(encode "$q")" >>"$paths/search-broad"
done
for q in "${specific[@]}"; do
    echo "/api/v1/documents?q=$(encode "$q")" >>"$paths/documents-q-specific"
    echo "/api/v1/search?q=$(encode "$q")" >>"$paths/search-specific"
done
echo "/api/v1/documents" >"$paths/documents-first-page"
echo "/api/v1/documents?cursor=$cursor" >"$paths/documents-cursor-80000"
echo "/api/v1/documents?page=4000" >"$paths/documents-page-4000"

# Every path answers 200 before it is measured.
while read -r path; do
    status=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
    [ "$status" = 200 ] || { echo "$path answered $status" >&2; exit 1; }
done < <(cat "$paths"/*)

echo "$documents documents, $connections connections, ${seconds}s per scenario, $(nproc) cores"
echo
echo "| scenario | p50 ms | p90 ms | p99 ms | mean ms | requests/s | errors |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for scenario in documents-q-specific documents-q-broad search-specific search-broad documents-first-page documents-cursor-80000 documents-page-4000; do
    BENCH_PATHS="$paths/$scenario" wrk -t1 -c"$connections" -d2s --timeout 30s -s bench/rotate.lua "$base" >/dev/null
    line=$(BENCH_PATHS="$paths/$scenario" wrk -t1 -c"$connections" -d"${seconds}s" --timeout 30s -s bench/rotate.lua "$base" |
        grep '^RESULT')
    read -r _ p50 p90 p99 mean rps errors <<<"$line"
    echo "| $scenario | $p50 | $p90 | $p99 | $mean | $rps | $errors |"
done
rm -r "$paths"
