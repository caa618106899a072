#!/usr/bin/env bash
# TAP: the documents in a real browser (issue 11).
#
# Runs the main job (demo/main.sql: the sample city, its year graded, Sở Nội vụ's grades
# decided) in a fresh database, which writes the documents as HTML files; then headless
# Chromium loads each page, prints it to PDF and takes a screenshot.  Checks, with shell
# tools only (no python, no poppler):
#   - every page is printed on A4 (each /MediaBox is 595 x 842 points, within a point) and
#     has the expected number of pages (the /Type /Page objects, and the /Count of the tree);
#   - no screenshot is blank: each PNG is several times the size of a blank page's
#     screenshot taken the same way (a white PNG compresses to almost nothing);
#   - no page asked the network for anything (Chromium's log of failed requests).
#
# Usage: test/scripts/browser.sh [output_dir]   (PGHOST/PGPORT/PGUSER of a superuser, as make test sets)
# With output_dir, the pages, PDFs and screenshots are kept there (docs/ keeps the screenshots).
set -euo pipefail

cd "$(dirname "$0")/../.."
db=cqs_browser_$$
work=$(mktemp -d "${TMPDIR:-/tmp}/cqs_browser.XXXXXX")
out=${1:-$work/out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}

cleanup() {
  set +e
  dropdb --if-exists --force "$db" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

n=0
failed=0
ok()    { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
comment() { cut -c1-300 | sed 's/^/#   /'; }

if [ -z "$chromium" ]; then
  echo "Bail out! no chromium (apt-get install chromium)"; exit 1
fi

# Headless Chromium, without a sandbox (CI runs as root), a GPU or any network.
browse() {
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --disable-extensions --disable-background-networking --hide-scrollbars --user-data-dir="$work/profile" \
    --force-device-scale-factor=1 "$@" >>"$work/chromium.log" 2>&1
}

createdb -T template0 "$db"
if psql -X -q -v ON_ERROR_STOP=1 -v pages_dir="$out" -d "$db" -f demo/main.sql >"$work/demo.out" 2>&1; then
  ok "the main job ran and wrote the documents"
else
  notok "the main job ran and wrote the documents"; tail -20 "$work/demo.out" | comment; exit 1
fi
if grep -qF "$out" "$work/demo.out"; then ok "and said where"; else notok "and said where"; fi

# A blank page, screenshot the same way: the size a blank screenshot has.
printf '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>\n' >"$work/blank.html"
browse --window-size=1240,1754 --screenshot="$work/blank.png" "file://$work/blank.html"
blank=$(wc -c <"$work/blank.png")

# page, the number of A4 pages it prints on
for spec in form01-staff-2026-03:3 form01-head-2026-03:3 form02-staff-2026:2 publication-snv-2026:2 \
            organisation-snv-2026:3 report-snv-2026:3; do
  page=${spec%%:*}
  want=${spec##*:}
  html="$out/$page.html"
  if [ ! -s "$html" ]; then notok "$page.html was written"; continue; fi
  browse --no-pdf-header-footer --print-to-pdf="$out/$page.pdf" "file://$html"
  browse --window-size=1240,1754 --screenshot="$out/$page.png" "file://$html"

  if [ ! -s "$out/$page.pdf" ] || ! head -c 5 "$out/$page.pdf" | grep -q '%PDF-'; then
    notok "$page: Chromium printed a PDF"; tail -5 "$work/chromium.log" | comment; continue
  fi
  pages=$(grep -ao '/Type */Page[A-Za-z]*' "$out/$page.pdf" | grep -c 'Page$' || true)
  count=$(grep -ao '/Count [0-9]*' "$out/$page.pdf" | head -1 | awk '{print $2}' || true)
  if [ "$pages" = "$want" ] && [ "$count" = "$want" ]; then
    ok "$page prints on $want page(s)"
  else
    notok "$page prints on $want page(s)"; echo "#   got $pages page object(s), /Count $count"
  fi
  not_a4=$(grep -ao '/MediaBox *\[[^]]*\]' "$out/$page.pdf" | tr -d '[]' |
           awk '{ if ($2 != 0 || $3 != 0 || $4 < 594 || $4 > 596 || $5 < 841 || $5 > 843) bad++; n++ }
                END { print (n == 0 ? "none" : bad + 0) }' || true)
  if [ "$not_a4" = "0" ]; then ok "$page: every page is A4 (595 x 842 pt)"; else
    notok "$page: every page is A4 (595 x 842 pt)"; grep -ao '/MediaBox *\[[^]]*\]' "$out/$page.pdf" | sort | uniq -c | comment
  fi

  size=$(wc -c <"$out/$page.png" 2>/dev/null || echo 0)
  if head -c 8 "$out/$page.png" | grep -q 'PNG' && [ "$size" -gt $((blank * 4)) ] && [ "$size" -gt 20000 ]; then
    ok "$page: the screenshot is not blank ($size bytes; a blank page $blank)"
  else
    notok "$page: the screenshot is not blank ($size bytes; a blank page $blank)"
  fi
done

# Nothing was fetched: the pages are self-contained (file:// only).
if grep -Eiq 'net::ERR|Failed to load resource' "$work/chromium.log"; then
  notok "no page asked for anything outside itself"; grep -Ei 'net::ERR|Failed to load resource' "$work/chromium.log" | head -5 | comment
else
  ok "no page asked for anything outside itself"
fi

echo "1..$n"
if [ "$failed" -gt 0 ]; then
  echo "# $failed of $n failed; pages in $out" >&2
  exit 1
fi
