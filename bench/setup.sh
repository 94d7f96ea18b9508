#!/bin/sh
# What the web benchmark needs besides the project's own install: Debian's wrk (HTTP load generator).
# As root it installs it with apt-get; as another user it prints the command to run.
set -eu
if command -v wrk >/dev/null 2>&1; then
    echo "wrk: $(command -v wrk) (installed)"
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    apt-get update
    apt-get install -y wrk
    echo "wrk: $(command -v wrk) (installed now)"
else
    echo "wrk is missing; install it as root:"
    echo "  sudo apt-get install -y wrk"
    exit 1
fi
