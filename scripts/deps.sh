#!/bin/sh
# scripts/deps.sh -- what `make demo` / `make test` need on Debian 12, and its installation.
#
#   scripts/deps.sh build|demo|test [--check]
#
# Looks for every program and file the target needs.  Nothing missing: silent, exit 0.
# Something missing: as root (and without --check), `apt-get update` and `apt-get install -y`
# of the Debian packages that hold it; otherwise it names what is missing and prints the one
# command that installs it, then exits 1.  .ci/run and the Makefile both call it.
#
# PG_CONFIG (environment) chooses the PostgreSQL installation; by default the pg_config on
# PATH, else Debian's /usr/lib/postgresql/15/bin/pg_config.
set -eu

target=${1:-}
check_only=${2:-}
case $target in
  build|demo|test) ;;
  *) echo "usage: $0 build|demo|test [--check]" >&2; exit 2 ;;
esac

PG_MAJOR=15
label="make $target"; [ "$target" = build ] && label="the build"
missing=""      # "what (package)" lines
packages=""     # the Debian packages to install

need() {        # need PACKAGE WHAT: record one missing thing
  case " $packages " in *" $1 "*) ;; *) packages="${packages:+$packages }$1" ;; esac
  missing="$missing
  - $2 (Debian package $1)"
}
have() { command -v "$1" >/dev/null 2>&1; }

find_pg_config() {
  if [ -n "${PG_CONFIG:-}" ]; then command -v "$PG_CONFIG" || true   # the one asked for, or none
  elif have pg_config; then command -v pg_config
  elif [ -x /usr/lib/postgresql/$PG_MAJOR/bin/pg_config ]; then echo /usr/lib/postgresql/$PG_MAJOR/bin/pg_config
  fi
}

inventory() {
  missing=""; packages=""
  have make || need make "make"
  have "${CC:-gcc}" || need gcc "a C compiler (${CC:-gcc})"
  pgc=$(find_pg_config)
  if [ -z "$pgc" ] || ! "$pgc" --pgxs >/dev/null 2>&1; then
    need postgresql-server-dev-$PG_MAJOR "PostgreSQL $PG_MAJOR's pg_config and build files (PGXS)"
    [ "$target" = build ] || need postgresql-$PG_MAJOR "the PostgreSQL $PG_MAJOR server"
    pgc=""
  else
    [ -f "$("$pgc" --pgxs)" ] || need postgresql-server-dev-$PG_MAJOR "PGXS ($("$pgc" --pgxs))"
    [ -f "$("$pgc" --includedir-server)/postgres.h" ] ||
      need postgresql-server-dev-$PG_MAJOR "the server headers ($("$pgc" --includedir-server)/postgres.h)"
    # btree_gist (a dependency of the extension) ships with the server package.
    [ "$target" = build ] || [ -x "$("$pgc" --bindir)/postgres" ] ||
      need postgresql-$PG_MAJOR "the PostgreSQL server ($("$pgc" --bindir)/postgres)"
  fi
  if [ "$target" != build ]; then
    have pg_virtualenv || need postgresql-$PG_MAJOR "pg_virtualenv (throwaway clusters)"
    have psql || need postgresql-$PG_MAJOR "psql"
  fi
  if [ "$target" = test ]; then
    share=${pgc:+$("$pgc" --sharedir)}; lib=${pgc:+$("$pgc" --pkglibdir)}
    [ -n "$pgc" ] && [ -f "$share/extension/pgtap.control" ] ||
      need postgresql-$PG_MAJOR-pgtap "pgTAP (the extension)"
    [ -n "$pgc" ] && [ -f "$lib/pg_cron.so" ] ||
      need postgresql-$PG_MAJOR-cron "pg_cron (test/scripts/cron_jobs.sh)"
    have pg_prove || need libtap-parser-sourcehandler-pgtap-perl "pg_prove"
    have chromium || need chromium "chromium (test/scripts/browser.sh)"
    [ -d /usr/share/fonts/truetype/liberation ] || need fonts-liberation "the Liberation fonts (Times New Roman's metrics)"
    [ -d /usr/share/fonts/truetype/dejavu ] || need fonts-dejavu-core "the DejaVu fonts"
  fi
}

inventory
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && [ "$check_only" != --check ] && have apt-get; then
  echo "$label: installing what is missing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $packages >/dev/null
  inventory
  [ -z "$missing" ] && exit 0
  echo "$label: still missing after apt-get install:$missing" >&2
  exit 1
fi

echo "$label needs what this machine lacks:$missing" >&2
echo "Install it with (as root, on Debian 12):" >&2
echo "  apt-get update && apt-get install -y --no-install-recommends $packages" >&2
exit 1
