# cqs_eval -- PGXS build.
#
#   make                 build (warnings are errors)
#   make install         install into the PostgreSQL found by $(PG_CONFIG)
#   make installcheck    pg_regress and the isolation specs against a running server ($PGHOST/$PGPORT)
#   make prove           pgTAP suites in test/ against a running server
#   make test            install, then both suites in a throwaway cluster (pg_virtualenv), the restore
#                        paths, the README's roles and the documents in headless Chromium
#   make demo            install, then the sample-city main job in a throwaway cluster

EXTENSION  = cqs_eval
MODULE_big = cqs_eval
OBJS       = src/cqs_eval.o src/checks.o src/fixeddec.o src/scores.o src/grade.o src/task_ratios.o
DATA       = cqs_eval--1.0.sql
# The install script is the schema/ pieces concatenated in name order.
SCHEMA     = $(sort $(wildcard schema/*.sql))
EXTRA_CLEAN = cqs_eval--1.0.sql
PGFILEDESC = "cqs_eval - evaluation and grading under Decree 335/2025/ND-CP"

REGRESS      = setup handbook grades scores differential parallel datapath year
REGRESS_OPTS = --inputdir=. --outputdir=.

# Concurrency (isolation tester): specs/*.spec, expected/*.out; each spec's teardown
# drops and recreates the extension, so every spec starts from a fresh install.
ISOLATION      = race_task_lines race_transfer race_lock_period race_rebuild race_grade_year \
                 race_out_of_order race_assessment race_decisions race_outbox race_jobs race_ingest
ISOLATION_OPTS = --load-extension=btree_gist --load-extension=cqs_eval

PG_CPPFLAGS = -I$(srcdir)/src
# -Wextra minus unused-parameter: PostgreSQL's own headers (bufpage.h, ilist.h) trip it.
PG_CFLAGS   = -Wall -Wextra -Werror -Wno-unused-parameter

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

PG_MAJOR   := $(shell $(PG_CONFIG) --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
VIRTUALENV  = pg_virtualenv -t -v $(PG_MAJOR) -o shared_preload_libraries=pg_cron \
              -o cron.database_name=postgres -o cron.use_background_workers=on -o max_worker_processes=16

.PHONY: prove test demo

all: cqs_eval--1.0.sql

cqs_eval--1.0.sql: $(SCHEMA)
	cat $^ > $@

prove:
	pg_prove --ext .sql --failures test/

test: install
	$(VIRTUALENV) sh -c '$(MAKE) installcheck || { cat regression.diffs output_iso/regression.diffs 2>/dev/null; exit 1; }; \
	  test/scripts/dump_restore.sh contrib_regression && test/scripts/readme_roles.sh && test/scripts/cron_jobs.sh && \
	  test/scripts/browser.sh && \
	  $(MAKE) prove'

demo: install
	$(VIRTUALENV) sh -c 'psql -X -q -v ON_ERROR_STOP=1 -f demo/main.sql'
