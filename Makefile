# cqs_eval -- PGXS build.
#
#   make demo            the main job: install what is missing (scripts/deps.sh), build and install
#                        the extension, load the sample city in a throwaway cluster, print its results
#   make test            every test in a throwaway cluster (pg_virtualenv, pg_cron preloaded):
#                        pg_regress, isolation specs, pgTAP, the restore paths, the docs' examples,
#                        the documents in headless Chromium
#   make                 build (warnings are errors)
#   make install         install into the PostgreSQL found by $(PG_CONFIG)
#   make installcheck    pg_regress and the isolation specs against a running server ($PGHOST/$PGPORT)
#   make prove           pgTAP suites in test/ against a running server
#   make deps            install what demo and test need (as root), or print the command that does
#
# demo and test print results only; V=1 shows the build and the throwaway cluster's messages.

EXTENSION  = cqs_eval
MODULE_big = cqs_eval
OBJS       = src/cqs_eval.o src/admin.o src/checks.o src/fixeddec.o src/scores.o src/grade.o src/task_ratios.o src/localize.o src/csv.o
# The version being built (cqs_eval.control's default_version; cqs.version(), the library's check).
EXTVERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(dir $(lastword $(MAKEFILE_LIST)))cqs_eval.control)
# Its install script is the schema/ pieces concatenated in name order.  Released versions'
# scripts are frozen in release/ and installed beside it, with the upgrade scripts
# cqs_eval--OLD--NEW.sql, so that ALTER EXTENSION ... UPDATE walks from any of them
# (test/scripts/upgrade.sh; "Releases and upgrades" in docs/dba.md).
SCHEMA     = $(sort $(wildcard schema/*.sql))
DATA       = cqs_eval--$(EXTVERSION).sql \
             $(filter-out release/cqs_eval--$(EXTVERSION).sql,$(wildcard release/cqs_eval--*.sql)) \
             $(wildcard cqs_eval--*--*.sql)
EXTRA_CLEAN = cqs_eval--$(EXTVERSION).sql
PGFILEDESC = "cqs_eval - evaluation and grading under Decree 335/2025/ND-CP"

REGRESS      = setup handbook grades scores differential parallel task_ratios_state datapath year
REGRESS_OPTS = --inputdir=. --outputdir=.

# Concurrency (isolation tester): specs/*.spec, expected/*.out; each spec's teardown
# drops and recreates the extension, so every spec starts from a fresh install.
ISOLATION      = race_task_lines race_transfer race_lock_period race_rebuild race_grade_year \
                 race_out_of_order race_assessment race_decisions race_outbox race_jobs race_ingest
ISOLATION_OPTS = --load-extension=btree_gist --load-extension=cqs_eval

# The library knows the version it was built as (cqs.version(), cqs._check_library).
PG_CPPFLAGS = -I$(srcdir)/src -DCQS_VERSION='"$(EXTVERSION)"'
# -Wextra minus unused-parameter: PostgreSQL's own headers (bufpage.h, ilist.h) trip it.
PG_CFLAGS   = -Wall -Wextra -Werror -Wno-unused-parameter

# The pg_config on PATH, else Debian's; scripts/deps.sh looks for the same one.
PG_CONFIG ?= $(shell command -v pg_config 2>/dev/null || echo /usr/lib/postgresql/15/bin/pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
# Passed on to scripts/deps.sh only when chosen by the caller.
DEPS = $(if $(filter command line environment,$(origin PG_CONFIG)),PG_CONFIG=$(PG_CONFIG)) scripts/deps.sh

.DEFAULT_GOAL := all
.PHONY: prove test demo deps test-run demo-run

# demo and test first install what is missing, then run in a new make that reads PGXS.
demo test:
	@$(DEPS) $@
	@$(MAKE) --no-print-directory $@-run

deps:
	@$(DEPS) test

ifneq ($(wildcard $(PGXS)),)
include $(PGXS)

PG_MAJOR   := $(shell $(PG_CONFIG) --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
VIRTUALENV  = pg_virtualenv -t -v $(PG_MAJOR)
# Only the tests preload pg_cron (test/scripts/cron_jobs.sh runs the jobs under it).
VIRTUALENV_CRON = $(VIRTUALENV) -o shared_preload_libraries=pg_cron \
              -o cron.database_name=postgres -o cron.use_background_workers=on -o max_worker_processes=16

# $(call quiet,command,log): the command's output kept in log and shown only if it fails (or V=1).
quiet = $(if $(V),$(1),$(1) >$(2) 2>&1 || { cat $(2); echo "make: failed: $(1)" >&2; exit 1; })
# $(call in_virtualenv,pg_virtualenv...,command): the command's output shown, the throwaway
# cluster's own messages only if something fails (or V=1).
in_virtualenv = $(if $(V),$(1) sh -c '$(2)' 3>&1,$(1) sh -c '$(2)' 3>&1 >.virtualenv.log 2>&1 \
                || { cat .virtualenv.log; exit 1; })
EXTRA_CLEAN += .build.log .virtualenv.log

all: cqs_eval--$(EXTVERSION).sql

src/admin.o: cqs_eval.control

cqs_eval--$(EXTVERSION).sql: $(SCHEMA)
	cat $^ > $@

prove:
	pg_prove --ext .sql --failures test/

test-run:
	@$(call quiet,$(MAKE) --no-print-directory install,.build.log)
	@$(call in_virtualenv,$(VIRTUALENV_CRON),exec >&3 2>&1; \
	  $(MAKE) --no-print-directory installcheck || { cat regression.diffs output_iso/regression.diffs 2>/dev/null; exit 1; }; \
	  test/scripts/dump_restore.sh contrib_regression && test/scripts/readme_roles.sh && test/scripts/cron_jobs.sh && \
	  test/scripts/browser.sh && test/scripts/docs_examples.sh && test/scripts/install_checks.sh && \
	  test/scripts/upgrade.sh && \
	  test/scripts/deps_check.sh && \
	  $(MAKE) --no-print-directory prove)

demo-run:
	@$(call quiet,$(MAKE) --no-print-directory install,.build.log)
	@$(call in_virtualenv,$(VIRTUALENV),exec >&3 2>&1; psql -X -q -v ON_ERROR_STOP=1 -f demo/main.sql)

else
# No PostgreSQL build files (PGXS) here: say what to install (as root: install it), then go on.
all install installcheck uninstall clean prove:
	@$(if $(CQS_DEPS_DONE),echo "make: $(PG_CONFIG) --pgxs still finds no PGXS" >&2; exit 1,$(DEPS) build)
	@$(MAKE) --no-print-directory CQS_DEPS_DONE=1 $@
endif
