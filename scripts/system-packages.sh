#!/usr/bin/env bash
# Make sure Debian's packages the portal needs are installed: CJK fonts and HarfBuzz's subsetter for the
# PDFs (WeasyPrint), Chromium for the browser tests, poppler-utils (pdftotext) for the PDF tests,
# PostgreSQL's client programs for backups, and Python 3.11 with venv for the virtualenv.
#
# As root, installs what is missing (apt-get update only when something is). Otherwise prints the
# command to run and fails.
set -euo pipefail

PACKAGES=(fonts-wqy-microhei fonts-noto-cjk libharfbuzz-subset0 chromium poppler-utils)
PYTHON=${PYTHON:-python3.11}

# pg_dump and pg_restore for `flask backup` / `restore` on PostgreSQL (the backup refuses a pg_dump older
# than the server; BACKUP_PG_BINDIR points at another version's programs).
if ! command -v pg_dump >/dev/null 2>&1 || ! command -v pg_restore >/dev/null 2>&1; then
    PACKAGES+=(postgresql-client)
fi

# Any Python 3.11 with venv and ensurepip will do (Debian's, pyenv's...); Debian's when there is none.
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    PACKAGES+=(python3.11 python3.11-venv)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them as root, then run make again:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q "${missing[@]}"
