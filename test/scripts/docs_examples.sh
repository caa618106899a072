#!/usr/bin/env bash
# TAP: every SQL example in the docs runs (issue 12: "the docs cannot drift").
#
# For README.md and every docs/*.md: the ```sql fenced blocks, in order, each run with psql
# -v ON_ERROR_STOP=1 as the superuser in a fresh database cloned (CREATE DATABASE ... TEMPLATE)
# from one holding the extension and the sample city (demo.generate_city(scale => 1,
# year => 2026, catalogue_csv => demo/catalogue.csv), as demo/main.sql makes it).  Blocks
# fenced ```text, ```sh or anything else are not run.  One test per file; a failing block is
# reported as file:line (the line of its opening fence) with psql's error.  Roles a file
# creates are dropped after it (roles belong to the cluster).
#
# Usage: test/scripts/docs_examples.sh [file.md ...]   (PGHOST/PGPORT/PGUSER of a superuser,
# as make test sets; default: README.md docs/*.md)
set -euo pipefail

cd "$(dirname "$0")/../.."
tpl=cqs_docs_tpl_$$
db=cqs_docs_$$
work=$(mktemp -d "${TMPDIR:-/tmp}/cqs_docs.XXXXXX")
if [ $# -gt 0 ]; then files=("$@"); else files=(README.md docs/*.md); fi

q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
roles_now() { q -d postgres -c "SELECT rolname FROM pg_roles ORDER BY 1"; }
drop_new_roles() {
  local r
  for r in $(comm -13 "$work/roles.before" <(roles_now)); do
    q -d postgres -c "DROP ROLE IF EXISTS \"$r\"" >/dev/null 2>&1 || echo "#   could not drop role $r"
  done
}
cleanup() {
  set +e
  dropdb --if-exists --force "$db" >/dev/null 2>&1
  dropdb --if-exists --force "$tpl" >/dev/null 2>&1
  [ -f "$work/roles.before" ] && drop_new_roles
  rm -rf "$work"
}
trap cleanup EXIT

n=0
failed=0
ok()    { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

roles_now >"$work/roles.before"
createdb -T template0 -E UTF8 "$tpl"
if ! q -d "$tpl" >"$work/city.out" 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION cqs_eval CASCADE;
\set catalogue_csv `cat demo/catalogue.csv`
\i demo/city.sql
SELECT demo.generate_city(scale => 1, year => 2026, catalogue_csv => :'catalogue_csv');
SQL
then
  echo "Bail out! the sample city did not load"; sed 's/^/#   /' "$work/city.out" | head -n 20; exit 1
fi

for f in "${files[@]}"; do
  # Split the file's ```sql blocks into numbered files; blocks.txt: "index line".
  rm -f "$work"/block.* "$work/blocks.txt"
  awk -v dir="$work" '
    /^[ \t]*```/ {
      if (!inblk) {
        lang = $0; sub(/^[ \t]*```/, "", lang); sub(/[ \t].*$/, "", lang)
        inblk = 1
        if (lang == "sql") { k++; out = dir "/block." k; printf "%d %d\n", k, NR >> (dir "/blocks.txt"); printf "" > out }
        else out = ""
        next
      } else { inblk = 0; if (out != "") close(out); out = ""; next }
    }
    inblk && out != "" { sub(/^  /, ""); print >> out }
  ' "$f"
  if [ ! -s "$work/blocks.txt" ]; then ok "$f: no SQL examples"; continue; fi
  blocks=$(wc -l <"$work/blocks.txt")
  dropdb --if-exists --force "$db" >/dev/null 2>&1
  q -d postgres -c "CREATE DATABASE $db TEMPLATE $tpl" >/dev/null
  bad=""
  while read -r k line; do
    if ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$work/block.$k" >"$work/out" 2>&1; then
      bad="$f:$line"; break
    fi
  done <"$work/blocks.txt"
  dropdb --force "$db" >/dev/null 2>&1
  drop_new_roles
  if [ -z "$bad" ]; then
    ok "$f: its $blocks SQL example(s) run"
  else
    notok "$f: its SQL examples run -- the block at $bad fails"
    grep -E 'ERROR|DETAIL|HINT|LINE' "$work/out" | head -n 8 | sed 's/^/#   /'
  fi
done

echo "1..$n"
[ "$failed" = 0 ]
