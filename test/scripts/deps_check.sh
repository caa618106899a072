#!/usr/bin/env bash
# TAP: scripts/deps.sh, what `make demo` and `make test` run first (issue 12).  Nothing is
# installed or removed: a PostgreSQL that is missing is simulated with PG_CONFIG pointing
# nowhere, and apt-get is a stand-in placed first on PATH that records its arguments (and,
# for the install case, "installs" pg_config as a link to the real one).
#
# Usage: test/scripts/deps_check.sh   (on a machine where make test's dependencies are installed)
set -euo pipefail

cd "$(dirname "$0")/../.."
work=$(mktemp -d "${TMPDIR:-/tmp}/cqs_deps.XXXXXX")
trap 'rm -rf "$work"' EXIT
real_pg_config=$(command -v pg_config || echo /usr/lib/postgresql/15/bin/pg_config)

n=0
failed=0
ok()    { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "#   got: $2"; echo "#   expected: $3"; fi; }

# 1. Everything there: silent, success.
out=$(PG_CONFIG=$real_pg_config scripts/deps.sh test --check 2>&1) && rc=0 || rc=$?
is "everything installed: make test's check passes" "$rc" "0"
is "... silently" "$out" ""

# 2. No PostgreSQL (not root, or --check): the missing things named, and one command.
out=$(PG_CONFIG=$work/none/pg_config scripts/deps.sh demo --check 2>&1) && rc=0 || rc=$?
is "no PostgreSQL: make demo's check fails" "$rc" "1"
is "... and prints the one command that installs the server and its headers" \
   "$(echo "$out" | tail -n 1)" \
   "  apt-get update && apt-get install -y --no-install-recommends postgresql-server-dev-15 postgresql-15"
out=$(PG_CONFIG=$work/none/pg_config CC=no-such-cc scripts/deps.sh test --check 2>&1) || true
is "for make test it names the compiler, pgTAP and pg_cron too" \
   "$(echo "$out" | tail -n 1)" \
   "  apt-get update && apt-get install -y --no-install-recommends gcc postgresql-server-dev-15 postgresql-15 postgresql-15-pgtap postgresql-15-cron"
is "demo does not ask for pg_cron, pgTAP or Chromium" \
   "$(PG_CONFIG=$work/none/pg_config scripts/deps.sh demo --check 2>&1 | grep -c 'cron\|pgtap\|chromium' || true)" "0"

# 3. As root: apt-get update, then apt-get install of exactly those packages, then checked again.
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$work/bin" "$work/pg"
  cat >"$work/bin/apt-get" <<STUB
#!/bin/sh
echo "\$*" >>"$work/apt.log"
[ "\$1" = install ] && ln -sf "$real_pg_config" "$work/pg/pg_config"
exit 0
STUB
  chmod +x "$work/bin/apt-get"
  out=$(PATH=$work/bin:$PATH PG_CONFIG=$work/pg/pg_config scripts/deps.sh demo 2>&1) && rc=0 || rc=$?
  is "as root: the missing packages installed, then found" "$rc" "0"
  is "... with apt-get update and one apt-get install" "$(cat "$work/apt.log")" \
     "update -qq
install -y -qq --no-install-recommends postgresql-server-dev-15 postgresql-15"
  # The Makefile without PGXS: no "No rule to make target", the same path.
  rm -f "$work/apt.log" "$work/pg/pg_config"
  out=$(PATH=$work/bin:$PATH make -n PG_CONFIG=$work/pg/pg_config 2>&1 | head -n 3) || true
  is "make without PostgreSQL has a rule: it calls scripts/deps.sh" \
     "$(echo "$out" | grep -c 'No rule to make target' || true) $(echo "$out" | grep -c 'scripts/deps.sh build' || true)" "0 1"
else
  echo "# not root: the install path is not tried"
fi

echo "1..$n"
[ "$failed" = 0 ]
