-- Layer 3: derived tables.  Everything here can be rebuilt from the records at
-- any time and has exactly one writer: the extension's own code in 40_maintenance.sql.

-- The organisation tree as every computation reads it: effective policies and the
-- ancestor/descendant pairs (cqs._computed_organisation_policies/_tree), rewritten
-- whenever an organisation changes.
CREATE TABLE cqs.organisation_policy (
  organisation_id  bigint PRIMARY KEY,
  parent_id        bigint,
  kind             text NOT NULL,
  depth            integer NOT NULL,
  using_agency_id  bigint NOT NULL,
  cadence          text NOT NULL,
  lateness_mode    text NOT NULL,
  cap_mode         text NOT NULL,
  decimals         integer NOT NULL,
  criteria_set_id  bigint,
  lateness_policy_ref     text,
  evaluation_start        date,
  self_assessment_due_day integer NOT NULL,
  confirmation_due_day    integer NOT NULL
);
CREATE TABLE cqs.organisation_closure (
  ancestor_id    bigint NOT NULL,
  descendant_id  bigint NOT NULL,
  distance       integer NOT NULL,
  PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX organisation_closure_descendant_idx ON cqs.organisation_closure (descendant_id, ancestor_id);

-- Period results (Art. 14-17): the current result of every person and period --
-- computed from the records while the period is open, a verbatim copy of the
-- locked_result while it is locked.  Not dumped: cqs.rebuild() recreates it exactly.
-- No foreign keys: the records it comes from carry them.
CREATE TABLE cqs.period_result (LIKE cqs.locked_result INCLUDING DEFAULTS);
ALTER TABLE cqs.period_result
  ALTER COLUMN lock_id DROP NOT NULL,                    -- set while it mirrors a locked result
  ALTER COLUMN computed_version SET DEFAULT cqs._extension_version(),
  ALTER COLUMN computed_at SET DEFAULT now(),
  ADD PRIMARY KEY (person_id, period),
  ADD CONSTRAINT period_result_kind_valid CHECK (period_kind IN ('month', 'quarter'));
CREATE INDEX period_result_period_org_idx ON cqs.period_result (period, organisation_id);
-- Portals: a page of one organisation's period in person order (keyset paging).
CREATE INDEX period_result_org_idx ON cqs.period_result (organisation_id, period, person_id);
-- Leaders' d (Art. 15.3) asks "does anyone they manage score under 50?": few rows.
CREATE INDEX period_result_low_idx ON cqs.period_result (period, organisation_id)
  WHERE base_total < 50 AND person_kind = 'civil_servant';
CREATE INDEX period_result_leaders_idx ON cqs.period_result (period, organisation_id) WHERE role <> 'staff';
COMMENT ON TABLE cqs.period_result IS
  'Art. 14-17: a person''s current result for a month or quarter (ratios a, b, c; leader terms d, đ, e; task score; general score; total; grade; the policies and version it was computed under); derived, written only by the extension, a copy of the locked result once locked';

-- What needs recomputing (async mode): the people and months whose records changed.
-- Durable and WAL-logged, drained in batches by cqs.process_queue().
CREATE TABLE cqs.refresh_queue (
  person_id    bigint NOT NULL,
  month        date NOT NULL,
  enqueued_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, month)
);
COMMENT ON TABLE cqs.refresh_queue IS
  'People and months whose records changed and whose results are not recomputed yet (refresh mode async); drained by cqs.process_queue()';

-- Whole months whose results are stale (refresh mode off, or records restored):
-- cqs.rebuild() or cqs.process_queue() recompute them.
CREATE TABLE cqs.stale_month (
  month        date PRIMARY KEY,
  since        timestamptz NOT NULL DEFAULT now(),
  why          text NOT NULL
);
COMMENT ON TABLE cqs.stale_month IS
  'Months whose results are stale as a whole (bulk loads in refresh mode off, restores); cleared by cqs.rebuild()';

-- The computed year of a person: what cqs.grade_year() proposes.
CREATE TABLE cqs.year_result (
  person_id            bigint NOT NULL,
  year                 integer NOT NULL,
  organisation_id      bigint NOT NULL,   -- grading organisation (Art. 19.1)
  using_agency_id      bigint NOT NULL,
  role                 text NOT NULL,
  duty_group           text NOT NULL,
  months_worked        integer NOT NULL,
  months_counted       integer NOT NULL,
  mean_total           numeric,
  score_grade          cqs.grade,
  override_reasons     text[] NOT NULL DEFAULT '{}',
  quota_outcome        text,
  cap_reason           text,
  proposed_grade       cqs.grade,
  not_graded_reason    text,
  computed_at          timestamptz NOT NULL DEFAULT now(),   -- when grade_year last changed it (or cleared stale)
  stale                boolean NOT NULL DEFAULT false,   -- a period result changed since: grade again
  period_totals        jsonb NOT NULL DEFAULT '{}',      -- the period totals it was graded on, by period start
  worked               interval,                         -- Art. 11.1: time worked in the year (postings less leave)
  missing_periods      text[] NOT NULL DEFAULT '{}',     -- Art. 17.2-17.3: periods worked without a confirmed result
  rounding_note        text,                             -- where rounding the mean moved it across a grade boundary
  PRIMARY KEY (person_id, year)
);
CREATE INDEX year_result_year_org_idx ON cqs.year_result (year, using_agency_id, duty_group);
CREATE INDEX year_result_org_idx ON cqs.year_result (organisation_id, year, person_id);
CREATE INDEX year_result_agency_idx ON cqs.year_result (using_agency_id, year);
COMMENT ON TABLE cqs.year_result IS
  'Art. 11, 17.3, 19-20: a person''s computed year: months worked and counted, mean total, grade by score, overrides, quota outcome, head cap and the proposed grade';

-- A result that mirrors an active lock is the record's copy: it changes only when the
-- lock is reopened.  (Only the owner can write this table at all; this guards against
-- mistakes.  TRUNCATE is fine: cqs.rebuild() copies locked results back.)
CREATE FUNCTION cqs._refuse_locked_result() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM cqs.period_lock l WHERE l.lock_id = OLD.lock_id AND l.reopened_at IS NULL) THEN
    RAISE EXCEPTION 'result of person % for period % is locked (lock %)', OLD.person_id, OLD.period, OLD.lock_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Locked results are final; cqs.reopen_period() reopens a period, with a reason (Art. 21.3).';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER period_result_locked BEFORE UPDATE OR DELETE ON cqs.period_result
  FOR EACH ROW WHEN (OLD.lock_id IS NOT NULL) EXECUTE FUNCTION cqs._refuse_locked_result();
