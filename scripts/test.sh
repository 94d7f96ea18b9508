#!/usr/bin/env bash
# Run the static security scan (bandit) and the dependency audit (scripts/audit-deps.sh), then the whole
# test suite twice: on SQLite (browser tests included), then on PostgreSQL (without the browser tests).
# Arguments are passed on to both pytest runs. A bandit finding or an audit finding fails the run; an audit
# whose vulnerability service cannot be reached is reported as skipped.
#
# Which PostgreSQL, by PORTAL_TEST_PG (default auto):
#   auto       PORTAL_TEST_DATABASE_URL if set; else the local server on 127.0.0.1:5432 if it lets
#              user postgres into database test without a password; else a throwaway cluster if
#              initdb and pg_ctl are installed; else the leg is skipped, loudly
#   server     PORTAL_TEST_DATABASE_URL or the local server only
#   throwaway  always a throwaway cluster (a temporary directory, a free port, run as a non-root
#              user: postgres, else nobody, or PORTAL_TEST_PG_USER; stopped and removed at the end)
#   none       skip the PostgreSQL leg
# PORTAL_REQUIRE_POSTGRES=1 turns a skipped PostgreSQL leg into a failure (CI sets it).
# PYTEST_WORKERS (default 2) sets pytest-xdist's -n.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
WORKERS=${PYTEST_WORKERS:-2}
PG_MODE=${PORTAL_TEST_PG:-auto}
REQUIRE_PG=${PORTAL_REQUIRE_POSTGRES:-0}
LOCAL_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test

[ -x "$PY" ] || { echo "no .venv yet: run 'make install' (or 'make test') first" >&2; exit 1; }
case "$PG_MODE" in auto|server|throwaway|none) ;; *)
    echo "PORTAL_TEST_PG must be auto, server, throwaway or none, not '$PG_MODE'" >&2; exit 2 ;;
esac

WORK=$(mktemp -d)
PG_DIR=""
PG_BIN=""
PG_USER=""

stop_throwaway() {
    if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
        echo "Stopping the throwaway PostgreSQL cluster in $PG_DIR"
        as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || true
    fi
    if [ -n "$PG_DIR" ]; then rm -rf "$PG_DIR"; fi
    PG_DIR=""
}
cleanup() {
    stop_throwaway
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

banner() { printf '\n===== %s =====\n' "$*"; }

loud() {
    printf '\n'
    printf '!%.0s' {1..78}; printf '\n'
    printf '!!! %s\n' "$@"
    printf '!%.0s' {1..78}; printf '\n\n'
}

# Run a command as the user the throwaway cluster belongs to: initdb and postgres refuse root.
as_pg_user() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$PG_DIR" && runuser -u "$PG_USER" -- "$@")
    else
        (cd "$PG_DIR" && "$@")
    fi
}

local_server_answers() {
    "$PY" - "$LOCAL_URL" <<'EOF' >/dev/null 2>&1
import sys
import psycopg
from sqlalchemy.engine import make_url
u = make_url(sys.argv[1])
psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database, connect_timeout=3).close()
EOF
}

find_pg_bin() {
    local initdb
    if initdb=$(command -v initdb) && command -v pg_ctl >/dev/null; then
        dirname "$(readlink -f "$initdb")"
        return 0
    fi
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# Start a cluster of our own; sets PG_URL. Returns non-zero (with the log printed) when it cannot.
start_throwaway() {
    if [ "$(id -u)" -eq 0 ]; then
        PG_USER=${PORTAL_TEST_PG_USER:-}
        if [ -z "$PG_USER" ]; then
            if id postgres >/dev/null 2>&1; then PG_USER=postgres; else PG_USER=nobody; fi
        fi
    else
        PG_USER=$(id -un)
    fi
    PG_DIR=$(mktemp -d /tmp/portal-pg.XXXXXX)
    chmod 700 "$PG_DIR"
    [ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$PG_DIR"
    local port
    port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "Starting a throwaway PostgreSQL cluster ($PG_BIN) as $PG_USER in $PG_DIR on port $port"
    if ! as_pg_user "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
            >"$PG_DIR/initdb.log" 2>&1; then
        cat "$PG_DIR/initdb.log" >&2
        return 1
    fi
    if ! as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null; then
        cat "$PG_DIR/server.log" >&2
        return 1
    fi
    PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
}

# Run one leg of pytest; records its result and time. pytest's exit code 5 (no tests ran) fails too.
RESULTS=()
FAILED=0
run_leg() {
    local name=$1 junit=$2
    shift 2
    local start=$SECONDS
    "$@" --junitxml="$junit"
    local rc=$? took=$((SECONDS - start))
    local outcome
    case $rc in
        0) outcome=passed ;;
        5) outcome="FAILED: no tests ran"; FAILED=1 ;;
        *) outcome="FAILED (pytest exit code $rc)"; FAILED=1 ;;
    esac
    RESULTS+=("$name: $outcome in ${took}s")
}

banner "static scan: bandit -c pyproject.toml -r portal"
start=$SECONDS
if .venv/bin/bandit -c pyproject.toml -r portal -q; then
    RESULTS+=("bandit: clean in $((SECONDS - start))s")
else
    RESULTS+=("bandit: FAILED: findings above (fix them, or '# nosec Bxxx  # reason' and README)")
    FAILED=1
fi

banner "dependency audit: scripts/audit-deps.sh"
start=$SECONDS
if AUDIT_OUT=$(bash scripts/audit-deps.sh 2>&1); then
    printf '%s\n' "$AUDIT_OUT"
    RESULTS+=("pip-audit: $(printf '%s\n' "$AUDIT_OUT" | tail -n 1) in $((SECONDS - start))s")
else
    printf '%s\n' "$AUDIT_OUT"
    RESULTS+=("pip-audit: FAILED: findings above")
    FAILED=1
fi

banner "SQLite leg: pytest -n $WORKERS ${*@Q}"
run_leg "SQLite leg" "$WORK/sqlite.xml" \
    env -u PORTAL_TEST_DATABASE_URL "$PY" -m pytest -n "$WORKERS" "$@"

PG_URL=""
PG_WHERE=""
SKIP_REASON=""
if [ "$PG_MODE" = none ]; then
    SKIP_REASON="PORTAL_TEST_PG=none"
elif [ -n "${PORTAL_TEST_DATABASE_URL:-}" ] && [ "$PG_MODE" != throwaway ]; then
    PG_URL=$PORTAL_TEST_DATABASE_URL
    PG_WHERE="the server in PORTAL_TEST_DATABASE_URL"
elif [ "$PG_MODE" != throwaway ] && local_server_answers; then
    PG_URL=$LOCAL_URL
    PG_WHERE="the local server on 127.0.0.1:5432"
elif [ "$PG_MODE" = server ]; then
    SKIP_REASON="no PostgreSQL server: PORTAL_TEST_DATABASE_URL is not set and nothing on 127.0.0.1:5432 lets user postgres into database test without a password"
elif PG_BIN=$(find_pg_bin); then
    if start_throwaway; then
        PG_WHERE="a throwaway cluster on ${PG_URL##*@}"
    else
        loud "Could not start a throwaway PostgreSQL cluster with $PG_BIN (log above)."
        RESULTS+=("PostgreSQL leg: FAILED: the throwaway cluster did not start")
        FAILED=1
        PG_URL=""
    fi
else
    SKIP_REASON="no PostgreSQL: PORTAL_TEST_DATABASE_URL is not set, no server answers on 127.0.0.1:5432 with trust auth, and no initdb/pg_ctl (apt-get install postgresql) for a throwaway cluster"
fi

if [ -n "$PG_URL" ]; then
    banner "PostgreSQL leg on $PG_WHERE: pytest -n $WORKERS -m 'not browser' ${*@Q}"
    run_leg "PostgreSQL leg ($PG_WHERE)" "$WORK/postgres.xml" \
        env PORTAL_TEST_DATABASE_URL="$PG_URL" "$PY" -m pytest -n "$WORKERS" -m "not browser" "$@"
    stop_throwaway
elif [ -n "$SKIP_REASON" ]; then
    if [ "$REQUIRE_PG" = 1 ]; then
        loud "PostgreSQL leg NOT RUN, and PORTAL_REQUIRE_POSTGRES=1 requires it:" "$SKIP_REASON"
        RESULTS+=("PostgreSQL leg: FAILED: could not run ($SKIP_REASON)")
        FAILED=1
    else
        loud "PostgreSQL leg SKIPPED: the suite did NOT run on PostgreSQL." "$SKIP_REASON"
        RESULTS+=("PostgreSQL leg: SKIPPED ($SKIP_REASON)")
    fi
fi

banner "summary"
printf '%s\n' "${RESULTS[@]}"
# One closing line over both legs, in the form CI reads: "total: N passed, N failed, N skipped".
"$PY" - "$WORK"/*.xml <<'EOF'
import sys
import xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        continue
    for suite in root.iter("testsuite"):
        tests, skips = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        passed += tests - skips - bad
        failed += bad
        skipped += skips
print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
EOF
exit $FAILED
