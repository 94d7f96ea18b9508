#!/usr/bin/env bash
# Audit the installed packages (.venv) for known vulnerabilities with pip-audit.
#
#   bash scripts/audit-deps.sh
#
# A finding fails the run (exit 1) unless its id (or an alias: PYSEC-, GHSA-, CVE-) is in
# scripts/audit-deps.ignore with a reason; accepted findings are printed with their reasons
# (scripts/audit_verdict.py reads the report, rather than pip-audit's --ignore-vuln hiding them).
# When the vulnerability service cannot be reached, or answers for none of the packages (a PyPI mirror
# without the per-version JSON API), it prints "skipped: <reason>" and exits 0.
# PIP_AUDIT_SERVICE=pypi|osv picks the service (default pypi); PIP_AUDIT_TIMEOUT (seconds, default 120)
# bounds the whole run.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
AUDIT=.venv/bin/pip-audit
SERVICE=${PIP_AUDIT_SERVICE:-pypi}
LIMIT=${PIP_AUDIT_TIMEOUT:-120}
IGNORE_FILE=scripts/audit-deps.ignore

[ -x "$AUDIT" ] || { echo "no pip-audit in .venv: run 'make install' first" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "pip-audit of the installed packages against the $SERVICE vulnerability service"
timeout "$LIMIT" "$AUDIT" --local --skip-editable --vulnerability-service "$SERVICE" --progress-spinner off \
    --format json --output "$WORK/report.json" 2>"$WORK/stderr"
rc=$?
if [ ! -s "$WORK/report.json" ]; then
    if [ "$rc" -eq 124 ]; then
        reason="no answer from the $SERVICE vulnerability service within ${LIMIT}s"
    else
        reason=$(grep -E 'Error|error' "$WORK/stderr" | tail -n 1 | cut -c1-300)
        reason=${reason:-"pip-audit exited with code $rc"}
    fi
    echo "skipped: the $SERVICE vulnerability service could not be reached: $reason"
    exit 0
fi

"$PY" scripts/audit_verdict.py "$WORK/report.json" "$IGNORE_FILE"
verdict=$?
case $verdict in
    0) echo "pip-audit: clean" ;;
    3) echo "skipped: the $SERVICE vulnerability service answered but could audit nothing (see above)"; exit 0 ;;
    4) echo "pip-audit: fix $IGNORE_FILE" >&2; exit 1 ;;
    *) echo "pip-audit: findings not accepted (add the id and a reason to $IGNORE_FILE only if it is acceptable)" >&2
       exit 1 ;;
esac
