-- Layer 7b: running a city -- the national-database outbox (DOMAIN.md section 10,
-- Art. 26.1.d) and the scheduled jobs (pg_cron).
--
-- The outbox.  Every locked period result (cqs.locked_result) and every decided or
-- re-decided year grade (cqs.grade_decision) is enqueued, by a trigger on those records,
-- as an item with a version per (kind, person, period): a correction after a complaint
-- (a reopened and locked-again period) or a re-grading is a new version.  An item is due
-- 5 days after it was finalised (Art. 26.1.d: "chậm nhất 05 ngày"; calendar days).
-- Items leave in batches: a deliverer claims pending items (FOR UPDATE SKIP LOCKED, so
-- concurrent deliverers never claim one item twice and never lose one), exports the batch
-- as JSON or CSV, sends it over whatever transport the province uses (its personnel
-- software or LGSP) and acknowledges it by batch, idempotently.  The person's personal
-- identification number (số định danh cá nhân, Decree 27/2026 -- the key of the national
-- database) and the agency's code are frozen into the item when it is batched; an item
-- whose person or agency has none is held, visibly, until they are recorded.  Nothing is
-- deleted before it is acknowledged.
--
-- The jobs.  CALL cqs.run_job(name) runs one job: a session advisory lock per job (a
-- second run skips and says so in the log), a plan made at the start, one step per
-- organisation (or batch) committed on its own, a run log (cqs.job_run, cqs.job_step)
-- purged after a retention period.  cqs.schedule_jobs() puts them in pg_cron, in the
-- city's time zone.  pg_cron is never required to install or use the extension: its
-- schema is referenced only in dynamic SQL, after checking that it is there.

-- ---------------------------------------------------------------------------
-- Identification for the national database.
-- ---------------------------------------------------------------------------
-- The personal identification number (số định danh cá nhân): 12 digits, the number of the
-- citizen identity card (căn cước), unique.  Nullable: people are recorded before their
-- number is; their results wait in the outbox (held) until it is.
ALTER TABLE cqs.person ADD COLUMN personal_id_number text
  CONSTRAINT person_personal_id_number_format CHECK (personal_id_number ~ '^[0-9]{12}$'),
  ADD CONSTRAINT person_personal_id_number_key UNIQUE (personal_id_number);
COMMENT ON COLUMN cqs.person.personal_id_number IS
  'Số định danh cá nhân (12 digits): the person''s key in the national database of cadres, civil servants and public employees (Decree 27/2026, Art. 26.1.d); the outbox holds their results until it is recorded';
-- The agency's electronic identifier code (mã định danh điện tử của cơ quan, Decision
-- 20/2020/QĐ-TTg: e.g. 000.00.05.H56).  A unit without one reports under the nearest
-- organisation above it that has one.
ALTER TABLE cqs.organisation ADD COLUMN agency_code text
  CONSTRAINT organisation_agency_code_format CHECK (agency_code ~ '^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$'),
  ADD CONSTRAINT organisation_agency_code_key UNIQUE (agency_code);
COMMENT ON COLUMN cqs.organisation.agency_code IS
  'Mã định danh điện tử của cơ quan (Decision 20/2020/QĐ-TTg, e.g. 000.00.05.H56): the agency''s code in the national database; units without one report under the nearest organisation above that has one';

-- The agency code an organisation reports under: its own, else the nearest above.
CREATE FUNCTION cqs.reporting_agency_code(organisation_id bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT o.agency_code FROM cqs.organisation_closure c JOIN cqs.organisation o ON o.organisation_id = c.ancestor_id
   WHERE c.descendant_id = $1 AND o.agency_code IS NOT NULL
   ORDER BY c.distance LIMIT 1
$$;
COMMENT ON FUNCTION cqs.reporting_agency_code(bigint) IS
  'Art. 26.1.d, Decision 20/2020/QĐ-TTg: the agency code an organisation''s results are reported under (its own, else the nearest organisation above with one)';

-- ---------------------------------------------------------------------------
-- The outbox (records: dumped, kept until acknowledged).
-- ---------------------------------------------------------------------------
CREATE TABLE cqs.outbox_batch (
  batch_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text NOT NULL,
  items            integer NOT NULL CONSTRAINT outbox_batch_items_positive CHECK (items > 0),
  sent_at          timestamptz,                 -- last handed to the transport
  sent_by          text,
  sends            integer NOT NULL DEFAULT 0,  -- how many times it was handed over (a resend is the same batch)
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  receipt          text,                        -- the receiving system's reference
  released_at      timestamptz,                 -- given up unacknowledged: its items went back to pending
  released_by      text,
  release_reason   text,
  CONSTRAINT outbox_batch_acknowledged_or_released CHECK (acknowledged_at IS NULL OR released_at IS NULL),
  CONSTRAINT outbox_batch_acknowledged_after_sent CHECK (acknowledged_at IS NULL OR sent_at IS NOT NULL),
  CONSTRAINT outbox_batch_release_reason CHECK ((released_at IS NULL) = (release_reason IS NULL))
);
COMMENT ON TABLE cqs.outbox_batch IS
  'Art. 26.1.d: batches of the outbox handed to the transport towards the national database, with their sends, acknowledgement (receipt) or release';

CREATE TABLE cqs.outbox (
  item_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind               text NOT NULL CONSTRAINT outbox_kind_valid CHECK (kind IN ('period_result', 'year_grade')),
  person_id          bigint NOT NULL,           -- -> cqs.person
  organisation_id    bigint NOT NULL,           -- -> cqs.organisation: where the result was given
  period_kind        text NOT NULL CONSTRAINT outbox_period_kind_valid CHECK (period_kind IN ('month', 'quarter', 'year')),
  period             date NOT NULL,             -- the first day of the month, quarter or year
  version            integer NOT NULL CONSTRAINT outbox_version_positive CHECK (version >= 1),
  total              numeric,
  grade              cqs.grade NOT NULL,
  lock_id            bigint,                    -- the source: a lock (period results) ...
  decision_id        bigint,                    -- ... or a decision (year grades)
  reference          text,                      -- the decision's reference, or the lock's reason
  finalised_at       timestamptz NOT NULL,      -- locked or decided
  due_at             timestamptz NOT NULL,      -- finalised + 5 days (Art. 26.1.d)
  enqueued_at        timestamptz NOT NULL DEFAULT now(),
  superseded_by      bigint,                    -- a later version enqueued before this one was batched
  batch_id           bigint,                    -- -> cqs.outbox_batch
  personal_id_number text,                      -- frozen when batched
  agency_code        text,                      -- frozen when batched
  CONSTRAINT outbox_version_key UNIQUE (kind, person_id, period, version),
  CONSTRAINT outbox_one_source CHECK ((lock_id IS NULL) <> (decision_id IS NULL)),
  CONSTRAINT outbox_batched_identified CHECK (batch_id IS NULL OR (personal_id_number IS NOT NULL AND agency_code IS NOT NULL))
);
CREATE INDEX outbox_pending_idx ON cqs.outbox (item_id) WHERE batch_id IS NULL AND superseded_by IS NULL;
CREATE INDEX outbox_batch_idx ON cqs.outbox (batch_id);
CREATE INDEX outbox_person_idx ON cqs.outbox (person_id, kind, period);
CREATE INDEX outbox_organisation_idx ON cqs.outbox (organisation_id, period);
COMMENT ON TABLE cqs.outbox IS
  'Art. 26.1.d, DOMAIN.md section 10: every locked period result and decided year grade to send to the national database, versioned, due 5 days after it was finalised; kept until acknowledged';

-- The content of an item and of a batch is kept as enqueued: only the outbox's own
-- functions batch, release or supersede items (the columns that record it), and nothing
-- leaves before its batch is acknowledged.
CREATE FUNCTION cqs._outbox_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'TRUNCATE on cqs.% refused: the outbox keeps everything until it is acknowledged', TG_TABLE_NAME
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Art. 26.1.d: results reach the national database; acknowledged items may be deleted one by one.';
  END IF;
  IF TG_TABLE_NAME = 'outbox' THEN
    IF TG_OP = 'UPDATE' AND (NEW.item_id, NEW.kind, NEW.person_id, NEW.organisation_id, NEW.period_kind, NEW.period,
                             NEW.version, NEW.total, NEW.grade, NEW.lock_id, NEW.decision_id, NEW.reference,
                             NEW.finalised_at, NEW.due_at, NEW.enqueued_at)
        IS NOT DISTINCT FROM (OLD.item_id, OLD.kind, OLD.person_id, OLD.organisation_id, OLD.period_kind, OLD.period,
                              OLD.version, OLD.total, OLD.grade, OLD.lock_id, OLD.decision_id, OLD.reference,
                              OLD.finalised_at, OLD.due_at, OLD.enqueued_at) THEN
      RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM cqs.outbox_batch b
                                     WHERE b.batch_id = OLD.batch_id AND b.acknowledged_at IS NOT NULL) THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION '% of outbox item % refused: %', TG_OP, OLD.item_id,
                    CASE TG_OP WHEN 'DELETE' THEN 'it has not been acknowledged' ELSE 'an item is kept as it was enqueued' END
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Art. 26.1.d: a correction is a new version (reopen and lock the period, or re-grade); items leave after their batch is acknowledged.';
  END IF;
  -- outbox_batch
  IF TG_OP = 'DELETE' THEN
    IF OLD.acknowledged_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cqs.outbox o WHERE o.batch_id = OLD.batch_id) THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'DELETE of outbox batch % refused: it is not acknowledged, or items still name it', OLD.batch_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Art. 26.1.d: a batch is kept until it is acknowledged and its items are deleted.';
  END IF;
  IF (NEW.batch_id, NEW.created_at, NEW.created_by, NEW.items) IS DISTINCT FROM
     (OLD.batch_id, OLD.created_at, OLD.created_by, OLD.items)
     OR (OLD.acknowledged_at IS NOT NULL AND (NEW.acknowledged_at, NEW.receipt) IS DISTINCT FROM (OLD.acknowledged_at, OLD.receipt))
     OR (OLD.released_at IS NOT NULL AND NEW.released_at IS DISTINCT FROM OLD.released_at) THEN
    RAISE EXCEPTION 'UPDATE of outbox batch % refused: a batch is kept as it was made, acknowledged or released', OLD.batch_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Use cqs.outbox_acknowledge() or cqs.outbox_release().';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER outbox_kept BEFORE UPDATE OR DELETE ON cqs.outbox
  FOR EACH ROW EXECUTE FUNCTION cqs._outbox_kept();
CREATE TRIGGER outbox_no_truncate BEFORE TRUNCATE ON cqs.outbox
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._outbox_kept();
CREATE TRIGGER outbox_batch_kept BEFORE UPDATE OR DELETE ON cqs.outbox_batch
  FOR EACH ROW EXECUTE FUNCTION cqs._outbox_kept();
CREATE TRIGGER outbox_batch_no_truncate BEFORE TRUNCATE ON cqs.outbox_batch
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._outbox_kept();

-- Enqueue: new items take the next version of their (kind, person, period); older
-- versions not yet batched are superseded (the national database wants the result in
-- force; what was already sent stays sent, and the new version follows it).  Locks and
-- decisions of one person and period are serialised by their own locks (the year's
-- advisory lock; the year's row); the unique version key catches anything else (23505).
CREATE FUNCTION cqs._outbox_enqueue(items jsonb) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_n bigint;
BEGIN
  WITH n AS (
    SELECT x.*, row_number() OVER (PARTITION BY x.kind, x.person_id, x.period ORDER BY x.finalised_at) AS rn
      FROM jsonb_to_recordset(items) AS x(kind text, person_id bigint, organisation_id bigint, period_kind text,
                                          period date, total numeric, grade cqs.grade, lock_id bigint,
                                          decision_id bigint, reference text, finalised_at timestamptz)
  ), ins AS (
    INSERT INTO cqs.outbox (kind, person_id, organisation_id, period_kind, period, version, total, grade, lock_id,
                            decision_id, reference, finalised_at, due_at)
    SELECT n.kind, n.person_id, n.organisation_id, n.period_kind, n.period,
           coalesce((SELECT max(o.version) FROM cqs.outbox o
                      WHERE o.kind = n.kind AND o.person_id = n.person_id AND o.period = n.period), 0) + n.rn,
           n.total, n.grade, n.lock_id, n.decision_id, n.reference, n.finalised_at, n.finalised_at + interval '5 days'
      FROM n
    RETURNING 1
  )
  SELECT count(*) INTO v_n FROM ins;
  -- Every older version of what was enqueued, not yet batched, is superseded.
  UPDATE cqs.outbox o SET superseded_by = l.item_id
    FROM (SELECT DISTINCT ON (x.kind, x.person_id, x.period) x.kind, x.person_id, x.period, x.item_id, x.version
            FROM cqs.outbox x
           WHERE (x.kind, x.person_id, x.period) IN (SELECT y->>'kind', (y->>'person_id')::bigint, (y->>'period')::date
                                                       FROM jsonb_array_elements(items) y)
           ORDER BY x.kind, x.person_id, x.period, x.version DESC) l
   WHERE o.kind = l.kind AND o.person_id = l.person_id AND o.period = l.period AND o.version < l.version
     AND o.batch_id IS NULL AND o.superseded_by IS NULL;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs._outbox_enqueue(jsonb) IS
  'Art. 26.1.d: enqueue results for the national database with the next version of each (kind, person, period), due 5 days after finalisation; older unbatched versions are superseded';

-- Locked results (Art. 16-17): enqueued when the lock is made.  A person locked without
-- an assessment has no result to report (no total, no grade): nothing is sent.  A
-- superuser's COPY (a restore) loads the outbox as it was and enqueues nothing.
CREATE FUNCTION cqs._outbox_from_locks() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF cqs._loading_records() THEN
    RETURN NULL;
  END IF;
  PERFORM cqs._outbox_enqueue(coalesce(jsonb_agg(jsonb_build_object(
            'kind', 'period_result', 'person_id', r.person_id, 'organisation_id', r.organisation_id,
            'period_kind', r.period_kind, 'period', r.period, 'total', r.total, 'grade', r.grade,
            'lock_id', r.lock_id, 'reference', l.reason, 'finalised_at', l.locked_at)), '[]'))
     FROM new_rows r JOIN cqs.period_lock l ON l.lock_id = r.lock_id
    WHERE r.grade IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER locked_result_outbox AFTER INSERT ON cqs.locked_result REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._outbox_from_locks();

-- Decisions and re-gradings (Art. 21, 21.3): each is a version of the person's year.
CREATE FUNCTION cqs._outbox_from_decisions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF cqs._loading_records() THEN
    RETURN NULL;
  END IF;
  PERFORM cqs._outbox_enqueue(coalesce(jsonb_agg(jsonb_build_object(
            'kind', 'year_grade', 'person_id', d.person_id, 'organisation_id', d.organisation_id,
            'period_kind', 'year', 'period', make_date(d.year, 1, 1), 'total', y.mean_total, 'grade', d.grade,
            'decision_id', d.decision_id, 'reference', d.reference, 'finalised_at', d.decided_at)
            ORDER BY d.decision_id), '[]'))
     FROM new_rows d LEFT JOIN cqs.year_result y ON y.person_id = d.person_id AND y.year = d.year;
  RETURN NULL;
END $$;
CREATE TRIGGER grade_decision_outbox AFTER INSERT ON cqs.grade_decision REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._outbox_from_decisions();

-- Why an item cannot leave yet (NULL: it can).  Art. 30 of Decree 27/2026: data are
-- checked before they are sent.
CREATE FUNCTION cqs._outbox_problem(person_id bigint, organisation_id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT concat_ws('; ',
           CASE WHEN (SELECT p.personal_id_number FROM cqs.person p WHERE p.person_id = $1) IS NULL
                THEN format('person %s has no personal identification number (số định danh cá nhân)', $1) END,
           CASE WHEN cqs.reporting_agency_code($2) IS NULL
                THEN format('organisation %s and those above it have no agency code (mã định danh cơ quan)', $2) END)
$$;
COMMENT ON FUNCTION cqs._outbox_problem(bigint, bigint) IS 'Decree 27/2026 Art. 30 (data checked before sending): why an outbox item cannot leave yet (no personal identification number, no agency code), empty when it can';

-- Claim pending items into a new batch (FOR UPDATE SKIP LOCKED: concurrent claims take
-- disjoint items; an item locked by a concurrent claim or enqueue is left to it).
-- Held items (no identification number or agency code) are skipped.  Returns the batch,
-- or NULL when nothing is pending.
CREATE FUNCTION cqs._outbox_claim(max_items integer, mark_sent boolean) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_ids   bigint[];
  v_batch bigint;
BEGIN
  IF max_items IS NULL OR max_items NOT BETWEEN 1 AND 100000 THEN
    RAISE EXCEPTION 'max_items must be between 1 and 100000, got %', coalesce(max_items::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'A batch is one document: 1,000 to 10,000 items travel well.';
  END IF;
  SELECT array_agg(c.item_id ORDER BY c.item_id) INTO v_ids FROM (
    SELECT o.item_id FROM cqs.outbox o
      JOIN cqs.person p ON p.person_id = o.person_id
     WHERE o.batch_id IS NULL AND o.superseded_by IS NULL AND p.personal_id_number IS NOT NULL
       AND cqs.reporting_agency_code(o.organisation_id) IS NOT NULL
     ORDER BY o.item_id LIMIT max_items
       FOR UPDATE OF o SKIP LOCKED) c;
  IF v_ids IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO cqs.outbox_batch (created_by, items, sent_at, sent_by, sends)
  VALUES (cqs._actor_login(), cardinality(v_ids), CASE WHEN mark_sent THEN now() END,
          CASE WHEN mark_sent THEN cqs._actor_login() END, CASE WHEN mark_sent THEN 1 ELSE 0 END)
  RETURNING batch_id INTO v_batch;
  UPDATE cqs.outbox o SET batch_id = v_batch, personal_id_number = p.personal_id_number,
                          agency_code = cqs.reporting_agency_code(o.organisation_id)
    FROM cqs.person p
   WHERE o.item_id = ANY (v_ids) AND p.person_id = o.person_id;
  RETURN v_batch;
END $$;
COMMENT ON FUNCTION cqs._outbox_claim(integer, boolean) IS
  'Art. 26.1.d: claim up to max_items pending items into a new batch (FOR UPDATE SKIP LOCKED), freezing the identification number and agency code';

-- Batches ready for the transport, without handing them over (the deliver job).
CREATE FUNCTION cqs.outbox_prepare(max_items integer DEFAULT 1000) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN cqs._outbox_claim(max_items, false);
COMMENT ON FUNCTION cqs.outbox_prepare(integer) IS
  'Art. 26.1.d: put up to max_items pending items into a new batch ready for the transport (NULL when nothing is pending)';

-- The transport's call: the next batch to send -- a prepared one, else one sent but not
-- acknowledged for longer than resend_after (the same batch again: sends are
-- idempotent by batch and item version), else a new one.  Concurrent transports get
-- different batches.  NULL when there is nothing to send.
CREATE FUNCTION cqs.outbox_next_batch(max_items integer DEFAULT 1000, resend_after interval DEFAULT '1 day')
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_batch bigint;
BEGIN
  IF resend_after IS NULL OR resend_after < interval '1 minute' THEN
    RAISE EXCEPTION 'resend_after must be at least 1 minute, got %', coalesce(resend_after::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Give the receiving system the time to acknowledge a batch before it is sent again.';
  END IF;
  SELECT b.batch_id INTO v_batch FROM cqs.outbox_batch b
   WHERE b.acknowledged_at IS NULL AND b.released_at IS NULL
     AND (b.sent_at IS NULL OR b.sent_at < now() - resend_after)
   ORDER BY b.sent_at NULLS FIRST, b.batch_id LIMIT 1
     FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE cqs.outbox_batch b SET sent_at = now(), sent_by = cqs._actor_login(), sends = b.sends + 1
     WHERE b.batch_id = v_batch;
    RETURN v_batch;
  END IF;
  RETURN cqs._outbox_claim(max_items, true);
END $$;
COMMENT ON FUNCTION cqs.outbox_next_batch(integer, interval) IS
  'Art. 26.1.d: the next batch for the transport to send (a prepared one, one unacknowledged for longer than resend_after, or a new one of up to max_items); concurrent callers never get the same one';

CREATE FUNCTION cqs._outbox_batch_row(batch_id bigint) RETURNS cqs.outbox_batch
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v cqs.outbox_batch;
BEGIN
  SELECT * INTO v FROM cqs.outbox_batch b WHERE b.batch_id = $1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no outbox batch %', coalesce($1::text, 'NULL') USING ERRCODE = 'invalid_parameter_value',
      HINT = 'SELECT * FROM cqs.outbox_batch lists the batches.';
  END IF;
  RETURN v;
END $$;
COMMENT ON FUNCTION cqs._outbox_batch_row(bigint) IS 'Art. 26.1.d: an outbox batch, or 22023 naming the batch that does not exist';

-- The items of a batch as exported (JSON and CSV read the same rows, in item order).
CREATE FUNCTION cqs._outbox_items(batch_id bigint)
RETURNS TABLE (item_id bigint, kind text, version integer, replaces_version integer, personal_id_number text,
               personnel_id text, full_name text, agency_code text, period_kind text, period_start date,
               period_end date, year integer, total text, grade cqs.grade, grade_label text, reference text,
               finalised_at timestamptz, due_at timestamptz)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT o.item_id, o.kind, o.version, CASE WHEN o.version > 1 THEN o.version - 1 END, o.personal_id_number,
         p.personnel_id, p.full_name, o.agency_code, o.period_kind, o.period,
         CASE o.period_kind WHEN 'year' THEN make_date(extract(year FROM o.period)::integer, 12, 31)
                            ELSE cqs.period_end(o.period, o.period_kind) - 1 END,
         extract(year FROM o.period)::integer,
         o.total::text, o.grade, cqs.grade_label(o.grade), o.reference, o.finalised_at, o.due_at
    FROM cqs.outbox o JOIN cqs.person p ON p.person_id = o.person_id
   WHERE o.batch_id = $1
   ORDER BY o.item_id
$$;
COMMENT ON FUNCTION cqs._outbox_items(bigint) IS 'Art. 26.1.d: the items of a batch as exported, in item order (what the JSON and CSV exports read)';

-- A batch as one JSON document (schema "cqs_eval.outbox", schema_version 1; README).
-- Built from the items as frozen when batched: exporting a batch again gives the same
-- document.
CREATE FUNCTION cqs.outbox_json(batch_id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v cqs.outbox_batch := cqs._outbox_batch_row(batch_id);
BEGIN
  RETURN jsonb_build_object(
    'schema', 'cqs_eval.outbox', 'schema_version', 1,
    'batch_id', v.batch_id, 'created_at', v.created_at, 'item_count', v.items,
    'sender', jsonb_build_object('system', 'cqs_eval', 'version', cqs._extension_version(),
                                 'database', current_database()),
    'items', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                'item_id', i.item_id, 'kind', i.kind, 'version', i.version, 'replaces_version', i.replaces_version,
                'personal_id_number', i.personal_id_number, 'personnel_id', i.personnel_id, 'full_name', i.full_name,
                'agency_code', i.agency_code,
                'period', jsonb_build_object('kind', i.period_kind, 'start', i.period_start, 'end', i.period_end,
                                             'year', i.year),
                'total', i.total, 'grade', i.grade, 'grade_label', i.grade_label, 'reference', i.reference,
                'finalised_at', i.finalised_at, 'due_at', i.due_at) ORDER BY i.item_id), '[]')
                FROM cqs._outbox_items(v.batch_id) i));
END $$;
COMMENT ON FUNCTION cqs.outbox_json(bigint) IS
  'Art. 26.1.d: a batch of the outbox as one JSON document (schema cqs_eval.outbox, schema_version 1), the same every time it is exported';

-- The same rows as CSV (RFC 4180, UTF-8, header first; totals with their recorded
-- decimals, a point as the decimal mark): for transports that take files.
CREATE FUNCTION cqs.outbox_csv(batch_id bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v cqs.outbox_batch := cqs._outbox_batch_row(batch_id);
BEGIN
  RETURN 'schema_version,batch_id,item_id,kind,version,replaces_version,personal_id_number,personnel_id,full_name,'
         'agency_code,period_kind,period_start,period_end,year,total,grade,grade_label,reference,finalised_at,due_at'
         || E'\r\n' ||
         coalesce((SELECT string_agg(concat_ws(',', '1', v.batch_id, i.item_id, i.kind, i.version,
                                               coalesce(i.replaces_version::text, ''),
                                               cqs._csv_field(i.personal_id_number), cqs._csv_field(i.personnel_id),
                                               cqs._csv_field(i.full_name), cqs._csv_field(i.agency_code), i.period_kind,
                                               i.period_start, i.period_end, i.year, coalesce(i.total, ''), i.grade,
                                               cqs._csv_field(i.grade_label), cqs._csv_field(i.reference),
                                               to_char(i.finalised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                               to_char(i.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
                                     E'\r\n' ORDER BY i.item_id) || E'\r\n'
                     FROM cqs._outbox_items(v.batch_id) i), '');
END $$;
COMMENT ON FUNCTION cqs.outbox_csv(bigint) IS
  'Art. 26.1.d: a batch of the outbox as CSV (RFC 4180, UTF-8, header row, schema_version 1, instants in UTC)';

-- (cqs._csv_field, the field writer, is shared with the exports: 77_exports.sql.)

-- Acknowledgement by batch, idempotent: acknowledging an acknowledged batch again (with
-- the same receipt, or none) changes nothing and returns when it was acknowledged.
CREATE FUNCTION cqs.outbox_acknowledge(batch_id bigint, receipt text DEFAULT NULL) RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v cqs.outbox_batch;
BEGIN
  PERFORM cqs._outbox_batch_row(outbox_acknowledge.batch_id);
  SELECT * INTO v FROM cqs.outbox_batch b WHERE b.batch_id = outbox_acknowledge.batch_id FOR UPDATE;
  IF v.acknowledged_at IS NOT NULL THEN
    IF outbox_acknowledge.receipt IS NOT NULL AND v.receipt IS DISTINCT FROM outbox_acknowledge.receipt THEN
      RAISE EXCEPTION 'outbox batch % was acknowledged with receipt "%", not "%"', v.batch_id,
                      coalesce(v.receipt, ''), outbox_acknowledge.receipt
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'An acknowledgement is recorded once; check which batch the receipt belongs to.';
    END IF;
    RETURN v.acknowledged_at;
  END IF;
  IF v.released_at IS NOT NULL THEN
    RAISE EXCEPTION 'outbox batch % was released at %: its items were batched again', v.batch_id, v.released_at
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Acknowledge the batch the items were sent in again (cqs.outbox_status shows it).';
  END IF;
  IF v.sent_at IS NULL THEN
    RAISE EXCEPTION 'outbox batch % was never sent', v.batch_id
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'A transport takes it with cqs.outbox_next_batch().';
  END IF;
  UPDATE cqs.outbox_batch b SET acknowledged_at = now(), acknowledged_by = cqs._actor_login(),
                                receipt = outbox_acknowledge.receipt
   WHERE b.batch_id = v.batch_id;
  RETURN now();
END $$;
COMMENT ON FUNCTION cqs.outbox_acknowledge(bigint, text) IS
  'Art. 26.1.d: record that the national database (through the province''s transport) received a batch; idempotent';

-- Give up a batch that was never acknowledged: its items go back to pending (into a new
-- batch next time); the batch stays on record with the reason.
CREATE FUNCTION cqs.outbox_release(batch_id bigint, reason text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v   cqs.outbox_batch;
  v_n integer;
BEGIN
  IF reason IS NULL OR length(btrim(reason)) = 0 THEN
    RAISE EXCEPTION 'releasing outbox batch % needs a reason', coalesce(batch_id::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Say why (the receiving system rejected it, the file was lost).';
  END IF;
  PERFORM cqs._outbox_batch_row(outbox_release.batch_id);
  SELECT * INTO v FROM cqs.outbox_batch b WHERE b.batch_id = outbox_release.batch_id FOR UPDATE;
  IF v.acknowledged_at IS NOT NULL OR v.released_at IS NOT NULL THEN
    RAISE EXCEPTION 'outbox batch % is already %', v.batch_id,
                    CASE WHEN v.acknowledged_at IS NOT NULL THEN 'acknowledged' ELSE 'released' END
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Only an unacknowledged batch is released.';
  END IF;
  UPDATE cqs.outbox_batch b SET released_at = now(), released_by = cqs._actor_login(), release_reason = reason
   WHERE b.batch_id = v.batch_id;
  UPDATE cqs.outbox o SET batch_id = NULL, personal_id_number = NULL, agency_code = NULL WHERE o.batch_id = v.batch_id;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.outbox_release(bigint, text) IS
  'Art. 26.1.d: give up an unacknowledged batch with a reason; its items return to pending, the batch stays on record';

-- What is pending, held, batched, sent, acknowledged (or superseded), and what is late
-- against the 5 days: received (acknowledged) after its due time, or not yet and past it.
CREATE VIEW cqs.outbox_status AS
SELECT o.item_id, o.kind, o.person_id, p.personnel_id, o.organisation_id,
       coalesce(o.agency_code, cqs.reporting_agency_code(o.organisation_id)) AS agency_code,
       o.period_kind, o.period, o.version, o.total, o.grade, o.reference, o.finalised_at, o.due_at,
       o.batch_id, b.sent_at, b.acknowledged_at, b.receipt,
       CASE WHEN b.acknowledged_at IS NOT NULL THEN 'acknowledged'
            WHEN b.sent_at IS NOT NULL THEN 'sent'
            WHEN o.batch_id IS NOT NULL THEN 'batched'
            WHEN o.superseded_by IS NOT NULL THEN 'superseded'
            WHEN cqs._outbox_problem(o.person_id, o.organisation_id) <> '' THEN 'held'
            ELSE 'pending' END AS status,
       o.superseded_by IS NULL AND coalesce(b.acknowledged_at, now()) > o.due_at AS late,
       cqs.localize(CASE WHEN o.batch_id IS NULL AND o.superseded_by IS NULL
                         THEN nullif(cqs._outbox_problem(o.person_id, o.organisation_id), '') END) AS problem,
       -- the problem as written (English); problem is in the session's language (cqs.language)
       CASE WHEN o.batch_id IS NULL AND o.superseded_by IS NULL
            THEN nullif(cqs._outbox_problem(o.person_id, o.organisation_id), '') END AS problem_en
  FROM cqs.outbox o
  LEFT JOIN cqs.outbox_batch b ON b.batch_id = o.batch_id
  LEFT JOIN cqs.person p ON p.person_id = o.person_id;
COMMENT ON VIEW cqs.outbox_status IS
  'Art. 26.1.d: every outbox item with its status (pending, held with the problem, batched, sent, acknowledged, superseded) and whether it is late against the 5 days; the problem in the session''s language (cqs.language, Vietnamese by default), problem_en as written (English)';

-- ---------------------------------------------------------------------------
-- Jobs: the run log (records: dumped; purged by the purge_logs job after the retention
-- period, cqs.job_log_retention, default 90 days).
-- ---------------------------------------------------------------------------
CREATE TABLE cqs.job_run (
  run_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job           text NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at   timestamptz,
  status        text NOT NULL CONSTRAINT job_run_status_valid
                CHECK (status IN ('running', 'ok', 'failed', 'skipped', 'interrupted')),
  login         text NOT NULL,
  pid           integer NOT NULL DEFAULT pg_backend_pid(),
  plan          jsonb,                     -- the steps decided at the start (organisations and periods, a year)
  steps         integer NOT NULL DEFAULT 0,
  failed_steps  integer NOT NULL DEFAULT 0,
  rows          bigint NOT NULL DEFAULT 0,
  message       text,
  hint          text
);
CREATE INDEX job_run_job_idx ON cqs.job_run (job, started_at);
CREATE INDEX job_run_started_idx ON cqs.job_run (started_at);
COMMENT ON TABLE cqs.job_run IS
  'The scheduled jobs'' run log: job, started, finished, ok / failed / skipped / interrupted, rows, message (no personal data)';

CREATE TABLE cqs.job_step (
  run_id          bigint NOT NULL,         -- -> cqs.job_run
  step_no         integer NOT NULL,
  at              timestamptz NOT NULL DEFAULT clock_timestamp(),
  organisation_id bigint,
  period          date,
  outcome         text NOT NULL CONSTRAINT job_step_outcome_valid
                  CHECK (outcome IN ('ok', 'locked', 'blocked', 'nothing', 'failed', 'reported')),
  rows            bigint NOT NULL DEFAULT 0,
  message         text,
  hint            text,
  PRIMARY KEY (run_id, step_no)
);
COMMENT ON TABLE cqs.job_step IS
  'Each committed step of a job run: the organisation and period (or batch), the outcome (locked, blocked and why, failed, reported), rows';

CREATE VIEW cqs.job_runs AS
SELECT r.run_id, r.job,
       CASE WHEN r.status = 'running' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = r.pid)
            THEN 'interrupted' ELSE r.status END AS status,
       r.started_at, r.finished_at, coalesce(r.finished_at, clock_timestamp()) - r.started_at AS duration,
       r.steps, r.failed_steps, r.rows, r.message, r.hint, r.login, r.pid
  FROM cqs.job_run r;
COMMENT ON VIEW cqs.job_runs IS
  'What ran and what failed: every job run with its status (a run whose session is gone shows interrupted), duration, steps, rows and message';

-- The jobs, their default schedules (in the city's time zone) and what they do.
CREATE FUNCTION cqs._jobs()
RETURNS TABLE (job text, job_name text, local_schedule text, description text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  VALUES ('refresh_queue', 'cqs-refresh-queue', '* * * * *',
          'drain the refresh queue and rebuild stale months (async mode), a batch per transaction'),
         ('close_months', 'cqs-close-months', '30 23 * * *',
          'lock each period whose confirmation deadline has passed (the agency''s confirmation_due_day), one organisation and period per transaction; report what blocks a lock'),
         ('grade_year', 'cqs-grade-year', '0 22 * 11,12,1 *',
          'grade the year in the run-up to the deadline (14/12; in January the previous year, when special units exist)'),
         ('deliver_outbox', 'cqs-deliver-outbox', '*/10 * * * *',
          'put pending outbox items into batches ready for the transport, a batch per transaction'),
         ('overdue', 'cqs-overdue', '0 7 * * 1-5',
          'count overdue work per using agency (cqs.overdue) into the run log'),
         ('purge_logs', 'cqs-purge-logs', '15 23 * * 0',
          'delete job runs older than cqs.job_log_retention (default 90 days)')
$$;
COMMENT ON FUNCTION cqs._jobs() IS 'The jobs cqs.run_job() knows, their pg_cron names, default local schedules and purpose';

-- A five-field cron schedule moved from one time zone to another by the zones' current
-- offsets (pg_cron before 1.5 runs schedules in GMT).  Refused (22023) where the move
-- cannot be exact: a day that wraps into the previous or next month with restricted
-- months or days of the month, hours that wrap differently, steps across an offset that
-- is not a whole number of hours.
CREATE FUNCTION cqs.cron_schedule_in_zone(schedule text, from_zone text, to_zone text DEFAULT 'GMT') RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  f       text[];
  v_off   integer;               -- minutes to subtract: from_zone's offset minus to_zone's
  v_mins  integer[];
  v_hours integer[];
  v_carry integer;
  v_c     integer;
  v_x     integer;
  v_out   text[];
  v_hint  text := 'Choose a local time that stays on the same day in the target zone (in Việt Nam: 07:00-23:59 for GMT), or unrestricted days and months.';
BEGIN
  IF from_zone IS NULL OR NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE z.name = from_zone) THEN
    RAISE EXCEPTION 'unknown time zone "%"', coalesce(from_zone, 'NULL') USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Use a name from pg_timezone_names, e.g. Asia/Ho_Chi_Minh.';
  END IF;
  IF to_zone IS NULL OR NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE z.name = to_zone) THEN
    RAISE EXCEPTION 'unknown time zone "%"', coalesce(to_zone, 'NULL') USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Use a name from pg_timezone_names, e.g. GMT.';
  END IF;
  f := regexp_split_to_array(btrim(coalesce(schedule, '')), '\s+');
  IF cardinality(f) <> 5 OR EXISTS (SELECT 1 FROM unnest(f) x WHERE x !~ '^(\*|\*/[0-9]+|[0-9]+(-[0-9]+)?(/[0-9]+)?(,[0-9]+(-[0-9]+)?(/[0-9]+)?)*)$') THEN
    RAISE EXCEPTION 'schedule "%" is not five cron fields (minute hour day month weekday)', coalesce(schedule, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'For example ''30 23 * * *'': every day at 23:30.';
  END IF;
  SELECT (extract(epoch FROM a.utc_offset) - extract(epoch FROM b.utc_offset))::integer / 60 INTO v_off
    FROM pg_timezone_names a, pg_timezone_names b WHERE a.name = from_zone AND b.name = to_zone;
  IF v_off = 0 THEN
    RETURN array_to_string(f, ' ');
  END IF;
  -- Every minute, or every n minutes, of every day is the same everywhere (n dividing the offset).
  IF f[1] ~ '^\*' AND f[2] = '*' AND f[3] = '*' AND f[4] = '*' AND f[5] = '*'
     AND (f[1] = '*' OR v_off % substr(f[1], 3)::integer = 0) THEN
    RETURN array_to_string(f, ' ');
  END IF;
  -- Minutes.
  IF f[1] ~ '^\*' THEN
    IF v_off % 60 <> 0 THEN
      RAISE EXCEPTION 'schedule "%" cannot move by % minutes: its minute field is "%"', schedule, v_off, f[1]
        USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the minutes as numbers.';
    END IF;
    v_carry := 0;
  ELSIF f[1] ~ '^[0-9]+(,[0-9]+)*$' THEN
    v_mins := string_to_array(f[1], ',')::integer[];
    IF EXISTS (SELECT 1 FROM unnest(v_mins) m WHERE m > 59) THEN
      RAISE EXCEPTION 'schedule "%": minute % is out of range', schedule, f[1] USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT min(floor((m - v_off % 60)::numeric / 60)), max(floor((m - v_off % 60)::numeric / 60))
      INTO v_carry, v_c FROM unnest(v_mins) m;
    IF v_carry <> v_c THEN
      RAISE EXCEPTION 'schedule "%" cannot move by % minutes: its minutes fall in different hours', schedule, v_off
        USING ERRCODE = 'invalid_parameter_value', HINT = 'Schedule such minutes as separate jobs.';
    END IF;
    f[1] := (SELECT string_agg(((m - v_off % 60) % 60 + 60) % 60 || '', ',' ORDER BY ((m - v_off % 60) % 60 + 60) % 60)
               FROM unnest(v_mins) m);
  ELSE
    RAISE EXCEPTION 'schedule "%" cannot move between time zones: its minute field is "%"', schedule, f[1]
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the minutes as numbers or *.';
  END IF;
  -- Hours (and the day they wrap into).
  v_x := v_off / 60 - v_carry;     -- hours to subtract
  v_x := CASE WHEN v_off < 0 AND v_off % 60 <> 0 THEN (v_off - 59) / 60 - v_carry ELSE v_x END;
  IF f[2] ~ '^\*' THEN
    IF f[2] <> '*' AND v_x % (substr(f[2], 3)::integer) <> 0 THEN
      RAISE EXCEPTION 'schedule "%" cannot move by % minutes: its hour field is "%"', schedule, v_off, f[2]
        USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the hours as numbers.';
    END IF;
    RETURN array_to_string(f, ' ');
  ELSIF f[2] ~ '^[0-9]+(,[0-9]+)*$' THEN
    v_hours := string_to_array(f[2], ',')::integer[];
    IF EXISTS (SELECT 1 FROM unnest(v_hours) h WHERE h > 23) THEN
      RAISE EXCEPTION 'schedule "%": hour % is out of range', schedule, f[2] USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT min(floor((h - v_x)::numeric / 24)), max(floor((h - v_x)::numeric / 24)) INTO v_carry, v_c FROM unnest(v_hours) h;
    IF v_carry <> v_c THEN
      RAISE EXCEPTION 'schedule "%" cannot move between time zones: its hours fall on different days there', schedule
        USING ERRCODE = 'invalid_parameter_value', HINT = v_hint;
    END IF;
    f[2] := (SELECT string_agg((((h - v_x) % 24 + 24) % 24)::text, ',' ORDER BY ((h - v_x) % 24 + 24) % 24)
               FROM unnest(v_hours) h);
  ELSE
    RAISE EXCEPTION 'schedule "%" cannot move between time zones: its hour field is "%"', schedule, f[2]
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the hours as numbers or *.';
  END IF;
  IF v_carry = 0 THEN
    RETURN array_to_string(f, ' ');
  END IF;
  -- The day moves by v_carry (-1 or +1).
  IF f[4] <> '*' AND f[3] = '*' AND f[5] = '*' THEN
    RAISE EXCEPTION 'schedule "%" cannot move between time zones exactly: its months start and end on another day there', schedule
      USING ERRCODE = 'invalid_parameter_value', HINT = v_hint;
  END IF;
  IF f[3] <> '*' THEN
    IF f[3] !~ '^[0-9]+(,[0-9]+)*$'
       OR EXISTS (SELECT 1 FROM unnest(string_to_array(f[3], ',')::integer[]) d WHERE d + v_carry NOT BETWEEN 1 AND 28) THEN
      RAISE EXCEPTION 'schedule "%" cannot move between time zones exactly: day of month "%" moves out of every month', schedule, f[3]
        USING ERRCODE = 'invalid_parameter_value', HINT = v_hint;
    END IF;
    f[3] := (SELECT string_agg((d + v_carry)::text, ',' ORDER BY d) FROM unnest(string_to_array(f[3], ',')::integer[]) d);
  END IF;
  IF f[5] <> '*' THEN
    f[5] := (SELECT string_agg(DISTINCT ((((d % 7) + v_carry) % 7 + 7) % 7)::text, ',')
               FROM unnest(string_to_array(f[5], ',')) AS part,
                    LATERAL generate_series(split_part(part, '-', 1)::integer,
                                            coalesce(nullif(split_part(part, '-', 2), ''), split_part(part, '-', 1))::integer) d);
  END IF;
  RETURN array_to_string(f, ' ');
END $$;
COMMENT ON FUNCTION cqs.cron_schedule_in_zone(text, text, text) IS
  'A cron schedule written in one time zone, as the same moments in another (pg_cron before 1.5 runs in GMT); 22023 where it cannot be exact';

-- The time zone pg_cron runs its schedules in: cron.timezone (pg_cron 1.5 and later), else
-- GMT (Debian 12's pg_cron 1.4 has no time-zone support).  Owner's rights: pg_cron's
-- settings may be readable by superusers only.
CREATE FUNCTION cqs._cron_time_zone() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN coalesce(nullif(current_setting('cron.timezone', true), ''), 'GMT');
END $$;
COMMENT ON FUNCTION cqs._cron_time_zone() IS
  'The time zone pg_cron runs schedules in: cron.timezone (pg_cron 1.5+), else GMT (pg_cron 1.4, Debian 12)';

-- What cqs.schedule_jobs() would schedule: each job's name, its schedule in the city's
-- zone and in pg_cron's, the command, and the statement to run in pg_cron's database
-- when that is another one.
CREATE FUNCTION cqs.job_definitions(time_zone text DEFAULT 'Asia/Ho_Chi_Minh', schedules jsonb DEFAULT NULL)
RETURNS TABLE (job text, job_name text, local_schedule text, cron_schedule text, cron_time_zone text, command text,
               description text, statement text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_cron_zone text := cqs._cron_time_zone();
  v_bad       text;
BEGIN
  IF schedules IS NOT NULL AND jsonb_typeof(schedules) <> 'object' THEN
    RAISE EXCEPTION 'schedules must be a JSON object {"job": "cron schedule" or null}, got %', schedules
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT string_agg(k, ', ') INTO v_bad FROM jsonb_object_keys(coalesce(schedules, '{}')) k
   WHERE k NOT IN (SELECT j.job FROM cqs._jobs() j);
  IF v_bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown job(s) %', v_bad USING ERRCODE = 'invalid_parameter_value',
      HINT = 'The jobs are ' || (SELECT string_agg(j.job, ', ') FROM cqs._jobs() j) || '.';
  END IF;
  RETURN QUERY
  SELECT j.job, j.job_name, s.local, cqs.cron_schedule_in_zone(s.local, time_zone, v_cron_zone), v_cron_zone,
         format('CALL cqs.run_job(%L)', j.job), j.description,
         format('SELECT cron.schedule_in_database(%L, %L, %L, %L, %L);', j.job_name,
                cqs.cron_schedule_in_zone(s.local, time_zone, v_cron_zone), format('CALL cqs.run_job(%L)', j.job),
                current_database(), current_user)
    FROM cqs._jobs() j
    CROSS JOIN LATERAL (SELECT CASE WHEN schedules ? j.job THEN schedules->>j.job ELSE j.local_schedule END AS local) s
   WHERE s.local IS NOT NULL;
END $$;
COMMENT ON FUNCTION cqs.job_definitions(text, jsonb) IS
  'The jobs to schedule: name, schedule in the city''s time zone and in pg_cron''s (GMT before pg_cron 1.5), command, and the cron.schedule_in_database statement for a pg_cron living in another database';

-- Is pg_cron usable from here by a role?  NULL, or the problem and what to do about it.
-- Owner's rights: pg_cron's settings are readable by superusers only.
CREATE FUNCTION cqs._cron_problem(role_name name, OUT problem text, OUT hint text, OUT state text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_db     text := current_setting('cron.database_name', true);
  v_bgw    text := current_setting('cron.use_background_workers', true);
  v_host   text := current_setting('cron.host', true);
  v_listen text := current_setting('listen_addresses');
  v_socket text := split_part(current_setting('unix_socket_directories'), ',', 1);
BEGIN
  state := 'object_not_in_prerequisite_state';
  IF NOT EXISTS (SELECT 1 FROM pg_available_extensions e WHERE e.name = 'pg_cron') THEN
    problem := 'pg_cron is not installed on this server';
    hint := 'Install it (Debian: apt-get install postgresql-15-cron), then preload it: ALTER SYSTEM SET shared_preload_libraries = ''pg_cron''; ALTER SYSTEM SET cron.database_name = '''
            || current_database() || '''; and restart the server.';
  ELSIF v_db IS NULL THEN
    problem := 'pg_cron is installed but not loaded (it is not in shared_preload_libraries)';
    hint := 'ALTER SYSTEM SET shared_preload_libraries = ''pg_cron''; ALTER SYSTEM SET cron.database_name = '''
            || current_database() || '''; then restart the server and CREATE EXTENSION pg_cron in ' || current_database() || '.';
  ELSIF v_db <> current_database() THEN
    problem := format('pg_cron runs its jobs from database "%s", not "%s"', v_db, current_database());
    hint := format('Either ALTER SYSTEM SET cron.database_name = %L, restart and CREATE EXTENSION pg_cron here, or run in "%s" the statements of SELECT statement FROM cqs.job_definitions() (cron.schedule_in_database, pg_cron 1.4 or later).',
                   current_database(), v_db);
  ELSIF NOT EXISTS (SELECT 1 FROM pg_extension e WHERE e.extname = 'pg_cron') THEN
    problem := format('pg_cron is loaded for database "%s" but its extension is not created there', v_db);
    hint := 'CREATE EXTENSION pg_cron;  (as a superuser, in this database)';
  ELSIF NOT has_schema_privilege(role_name, 'cron', 'USAGE') THEN
    problem := format('role %s may not use pg_cron (no USAGE on schema cron)', role_name);
    hint := format('A superuser: GRANT USAGE ON SCHEMA cron TO %I;', role_name);
    state := 'insufficient_privilege';
  ELSIF coalesce(v_bgw, 'off') = 'off' AND coalesce(v_host, 'localhost') IN ('localhost', '127.0.0.1', '::1')
        AND v_listen = '' THEN
    problem := format('pg_cron connects to %s over TCP, but the server does not listen on TCP (listen_addresses is empty)',
                      coalesce(v_host, 'localhost'));
    hint := format('ALTER SYSTEM SET cron.host = %L (the socket directory) and restart, or set cron.use_background_workers = on (and max_worker_processes high enough).',
                   v_socket);
  END IF;
END $$;
COMMENT ON FUNCTION cqs._cron_problem(name) IS
  'Why pg_cron cannot run the jobs from this database (missing, not preloaded, another database, extension not created, no privilege, no way to connect), with what to do';

-- Recent connection failures of this database's cqs jobs: pg_cron says only
-- "connection failed"; say why it usually does.
CREATE FUNCTION cqs._cron_connection_failure() RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_when timestamptz;
BEGIN
  EXECUTE $q$SELECT max(d.start_time) FROM cron.job_run_details d JOIN cron.job j ON j.jobid = d.jobid
              WHERE j.jobname LIKE 'cqs-%' AND j.database = current_database() AND d.status = 'failed'
                AND d.return_message = 'connection failed' AND d.start_time > now() - interval '1 day'$q$ INTO v_when;
  RETURN v_when;
EXCEPTION WHEN undefined_table OR undefined_column OR insufficient_privilege THEN
  RETURN NULL;
END $$;
COMMENT ON FUNCTION cqs._cron_connection_failure() IS 'When pg_cron last failed to connect to run a cqs job of this database (the last day), from cron.job_run_details; NULL if never or unreadable';

-- Schedule the jobs in pg_cron, idempotently: each job under its name (cqs-...), as the
-- current role, in this database; jobs of this role and database named cqs-... that are
-- not asked for any more are unscheduled.  time_zone: the city's; the schedules are
-- converted to pg_cron's zone (GMT before pg_cron 1.5).  schedules: {"job": "cron
-- schedule in the city's zone", "job": null to leave it out}.
CREATE FUNCTION cqs.schedule_jobs(time_zone text DEFAULT 'Asia/Ho_Chi_Minh', schedules jsonb DEFAULT NULL)
RETURNS TABLE (job_name text, jobid bigint, local_schedule text, cron_schedule text, command text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_p   record;
  v_d   record;
  v_ids bigint[] := '{}';
  v_fail text;
BEGIN
  v_p := cqs._cron_problem(current_user);
  IF v_p.problem IS NOT NULL THEN
    RAISE EXCEPTION 'cannot schedule the jobs: %', v_p.problem USING ERRCODE = v_p.state, HINT = v_p.hint;
  END IF;
  v_fail := cqs._cron_connection_failure();
  IF v_fail IS NOT NULL THEN
    RAISE WARNING 'pg_cron could not connect to run a cqs job at % ("connection failed" in cron.job_run_details)', v_fail
      USING HINT = format('pg_cron connects to cron.host as the job''s role with no password: set cron.host to the socket directory (%s) with a pg_hba.conf rule that lets that role in (peer maps the postgres user only), or cron.use_background_workers = on; both need a restart.',
                          split_part(current_setting('unix_socket_directories'), ',', 1));
  END IF;
  FOR v_d IN SELECT * FROM cqs.job_definitions(time_zone, schedules) LOOP
    job_name := v_d.job_name;
    local_schedule := v_d.local_schedule;
    cron_schedule := v_d.cron_schedule;
    command := v_d.command;
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO jobid USING v_d.job_name, v_d.cron_schedule, v_d.command;
    v_ids := v_ids || jobid;
    RETURN NEXT;
  END LOOP;
  EXECUTE $q$SELECT cron.unschedule(j.jobid) FROM cron.job j
              WHERE j.jobname LIKE 'cqs-%' AND j.username = current_user AND j.database = current_database()
                AND NOT j.jobid = ANY ($1)$q$ USING v_ids;
END $$;
COMMENT ON FUNCTION cqs.schedule_jobs(text, jsonb) IS
  'Schedule the jobs in pg_cron (idempotent, named cqs-..., run as the current role) in the city''s time zone, converted to pg_cron''s (GMT before 1.5); a clear error when pg_cron is missing, not preloaded, in another database or cannot connect';

CREATE FUNCTION cqs.unschedule_jobs() RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_p record;
  v_n integer;
BEGIN
  v_p := cqs._cron_problem(current_user);
  IF v_p.problem IS NOT NULL THEN
    RAISE EXCEPTION 'cannot unschedule the jobs: %', v_p.problem USING ERRCODE = v_p.state, HINT = v_p.hint;
  END IF;
  EXECUTE $q$SELECT count(cron.unschedule(j.jobid)) FROM cron.job j
              WHERE j.jobname LIKE 'cqs-%' AND j.username = current_user AND j.database = current_database()$q$
     INTO v_n;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.unschedule_jobs() IS
  'Remove every cqs-... job of the current role in this database from pg_cron (idempotent); returns how many';

-- ---------------------------------------------------------------------------
-- Running a job.
-- ---------------------------------------------------------------------------
-- Session advisory lock of a job: key 1 = 2^30 (no writer's key is this large), key 2 =
-- the job's position in cqs._jobs().
CREATE FUNCTION cqs._job_key(job text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v integer;
BEGIN
  SELECT x.n INTO v FROM (SELECT j.job, row_number() OVER () AS n FROM cqs._jobs() j) x WHERE x.job = _job_key.job;
  IF v IS NULL THEN
    RAISE EXCEPTION 'unknown job "%"', coalesce(_job_key.job, 'NULL') USING ERRCODE = 'invalid_parameter_value',
      HINT = 'The jobs are ' || (SELECT string_agg(j.job, ', ') FROM cqs._jobs() j) || '.';
  END IF;
  RETURN v;
END $$;
COMMENT ON FUNCTION cqs._job_key(text) IS 'The second key of a job''s session advisory lock (the first is 2^30); 22023 for an unknown job';

-- The retention of the run log (cqs.job_log_retention, at least 7 days).
CREATE FUNCTION cqs._job_log_retention() RETURNS interval
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_txt text := coalesce(nullif(current_setting('cqs.job_log_retention', true), ''), '90 days');
  v     interval;
BEGIN
  BEGIN
    v := v_txt::interval;
  EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION 'cqs.job_log_retention must be an interval, got "%"', v_txt USING ERRCODE = 'invalid_parameter_value';
  END;
  IF v < interval '7 days' THEN
    RAISE EXCEPTION 'cqs.job_log_retention must be at least 7 days, got %', v USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Keep the run log long enough to see what failed last week.';
  END IF;
  RETURN v;
END $$;
COMMENT ON FUNCTION cqs._job_log_retention() IS 'How long job runs are kept: the setting cqs.job_log_retention (default 90 days, at least 7)';

-- The plan of a run: the organisations and periods (or the year) it works through.
CREATE FUNCTION cqs._job_plan(job text) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_today date := current_date;
  v_year  integer := extract(year FROM current_date)::integer;
BEGIN
  CASE job
  WHEN 'close_months' THEN
    -- Roots of a cadence (a using agency, or an organisation whose cadence differs from
    -- its parent's): each period of the last 13 months, on or after the agency's start,
    -- whose confirmation deadline has passed; not locked now, never reopened (a reopened
    -- period is locked again by hand, once corrected).
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('organisation_id', x.organisation_id, 'period', x.period)
                                      ORDER BY x.period, x.organisation_id), '[]')
      FROM (SELECT DISTINCT pol.organisation_id, cqs.period_start(m::date, pol.cadence) AS period, pol.cadence,
                   pol.confirmation_due_day
              FROM cqs.organisation_policies pol
              LEFT JOIN cqs.organisation_policies up ON up.organisation_id = pol.parent_id
              CROSS JOIN LATERAL generate_series(date_trunc('month', v_today) - interval '13 months',
                                                 date_trunc('month', v_today) - interval '1 month', interval '1 month') m
             WHERE (pol.kind = 'using_agency' OR (up.organisation_id IS NOT NULL AND up.cadence <> pol.cadence))
               AND (pol.evaluation_start IS NULL OR m >= pol.evaluation_start)) x
     WHERE cqs.period_end(x.period, CASE x.cadence WHEN 'quarterly' THEN 'quarter' ELSE 'month' END)
           + x.confirmation_due_day - 1 < v_today
       AND NOT EXISTS (SELECT 1 FROM cqs.period_lock l WHERE l.organisation_id = x.organisation_id AND l.period = x.period)
       AND EXISTS (SELECT 1 FROM cqs.organisation_tree t JOIN cqs.posting ps ON ps.organisation_id = t.descendant_id
                    WHERE t.ancestor_id = x.organisation_id
                      AND ps.start_date < cqs.period_end(x.period, CASE x.cadence WHEN 'quarterly' THEN 'quarter' ELSE 'month' END)
                      AND (ps.end_date IS NULL OR ps.end_date >= x.period)));
  WHEN 'grade_year' THEN
    -- In the run-up to 14/12 the current year; in January the previous one, for the
    -- special units graded by 14/01 (Art. 19.2).  Never a hard-coded year.
    IF extract(month FROM v_today) = 1 THEN
      IF EXISTS (SELECT 1 FROM cqs.organisation o WHERE o.special_deadline) THEN
        RETURN jsonb_build_array(jsonb_build_object('year', v_year - 1));
      END IF;
      RETURN '[]';
    END IF;
    RETURN jsonb_build_array(jsonb_build_object('year', v_year));
  WHEN 'overdue' THEN
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('organisation_id', p.organisation_id) ORDER BY p.organisation_id), '[]')
              FROM cqs.organisation_policies p WHERE p.kind = 'using_agency');
  WHEN 'purge_logs' THEN
    RETURN jsonb_build_array(jsonb_build_object('older_than', now() - cqs._job_log_retention()));
  ELSE
    RETURN NULL;                  -- open-ended: batches until none is left
  END CASE;
END $$;
COMMENT ON FUNCTION cqs._job_plan(text) IS 'The steps a job run works through, decided at its start (organisations and periods past their confirmation deadline, the year to grade, the agencies, the purge cut-off); NULL for batch jobs';

-- Start a run: the job's lock, or a skipped run logged (NULL).  A run of this job left
-- 'running' by a session that is gone (or by this one) is marked interrupted.
CREATE FUNCTION cqs._job_start(job text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_key   integer := cqs._job_key(job);
  v_run   bigint;
  v_other record;
BEGIN
  IF NOT pg_try_advisory_lock(1073741824, v_key) THEN
    SELECT r.run_id, r.pid, r.started_at INTO v_other FROM cqs.job_run r
     WHERE r.job = _job_start.job AND r.status = 'running' ORDER BY r.run_id DESC LIMIT 1;
    INSERT INTO cqs.job_run (job, status, login, finished_at, message)
    VALUES (_job_start.job, 'skipped', cqs._actor_login(), clock_timestamp(),
            format('skipped: job %s is already running (%s)', _job_start.job,
                   coalesce(format('run %s', v_other.run_id), 'another session holds its lock')))
    RETURNING run_id INTO v_run;
    RAISE NOTICE 'job % skipped: it is already running (%)', job,
                 coalesce(format('run %s', v_other.run_id), 'another session holds its lock');
    RETURN NULL;
  END IF;
  UPDATE cqs.job_run r SET status = 'interrupted', finished_at = clock_timestamp(),
                           message = coalesce(r.message, 'the session running it ended before it finished')
   WHERE r.job = _job_start.job AND r.status = 'running';
  INSERT INTO cqs.job_run (job, status, login, plan) VALUES (_job_start.job, 'running', cqs._actor_login(), cqs._job_plan(job))
  RETURNING run_id INTO v_run;
  RETURN v_run;
END $$;
COMMENT ON FUNCTION cqs._job_start(text) IS
  'Start a job run: take the job''s session advisory lock and log the run with its plan, or log a skipped run (NULL) when another session runs the job';

-- One step of a run (step numbers from 0): false when there is nothing left to do.
-- Errors are caught here, recorded on the step, and stop the run (close_months goes on
-- to the next organisation: each lock is its own matter).
CREATE FUNCTION cqs._job_step(run_id bigint, step_no integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
  v_run   cqs.job_run;
  v_unit  jsonb;
  v_org   bigint;
  v_per   date;
  v_n     bigint;
  v_out   text := 'ok';
  v_msg   text;
  v_hint  text;
  v_state text;
  v_more  boolean := true;
BEGIN
  SELECT * INTO v_run FROM cqs.job_run r WHERE r.run_id = _job_step.run_id AND r.status = 'running';
  IF NOT FOUND OR step_no IS NULL OR step_no < 0 THEN
    RAISE EXCEPTION 'no running job run % (step %)', coalesce(_job_step.run_id::text, 'NULL'), coalesce(step_no::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Jobs run with CALL cqs.run_job(job).';
  END IF;
  IF v_run.plan IS NOT NULL THEN
    v_unit := v_run.plan -> step_no;
    IF v_unit IS NULL THEN
      RETURN false;
    END IF;
    v_org := (v_unit->>'organisation_id')::bigint;
    v_per := (v_unit->>'period')::date;
  ELSIF step_no >= 100000 THEN
    RETURN false;                   -- a bound on open-ended jobs
  END IF;
  BEGIN
    CASE v_run.job
    WHEN 'refresh_queue' THEN
      v_n := cqs._drain_batch(1000);
      IF v_n < 0 THEN
        RETURN false;
      END IF;
      v_msg := format('%s people-months recomputed', v_n);
    WHEN 'deliver_outbox' THEN
      v_n := cqs._outbox_claim(1000, false);
      IF v_n IS NULL THEN
        RETURN false;
      END IF;
      v_msg := format('batch %s ready', v_n);
      v_n := (SELECT b.items FROM cqs.outbox_batch b WHERE b.batch_id = v_n);
    WHEN 'close_months' THEN
      SELECT count(*) INTO v_n
        FROM cqs.lock_period(v_org, v_per, 'Tự động khóa kỳ sau hạn xác nhận (job close_months)');
      v_out := 'locked';
      v_msg := format('%s people locked', v_n);
    WHEN 'grade_year' THEN
      v_n := cqs.grade_year((v_unit->>'year')::integer);
      v_msg := format('year %s graded: %s people', v_unit->>'year', v_n);
    WHEN 'overdue' THEN
      SELECT coalesce(sum(x.n), 0), string_agg(format('%s: %s', x.kind, x.n), ', ' ORDER BY x.kind) INTO v_n, v_msg
        FROM (SELECT d.kind, count(*) AS n FROM cqs.overdue d
                JOIN cqs.organisation_tree t ON t.descendant_id = d.organisation_id AND t.ancestor_id = v_org
               GROUP BY d.kind) x;
      v_out := 'reported';
      v_msg := coalesce(v_msg, 'nothing overdue');
    WHEN 'purge_logs' THEN
      DELETE FROM cqs.job_step s USING cqs.job_run r
       WHERE s.run_id = r.run_id AND r.started_at < (v_unit->>'older_than')::timestamptz AND r.run_id <> v_run.run_id;
      DELETE FROM cqs.job_run r WHERE r.started_at < (v_unit->>'older_than')::timestamptz AND r.run_id <> v_run.run_id;
      GET DIAGNOSTICS v_n = ROW_COUNT;
      v_msg := format('%s runs older than %s deleted', v_n, (v_unit->>'older_than')::timestamptz);
    END CASE;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT, v_state = RETURNED_SQLSTATE;
    v_n := 0;
    IF v_run.job = 'close_months' AND v_state = '55000' THEN
      v_out := CASE WHEN v_msg LIKE 'nobody to lock%' THEN 'nothing' ELSE 'blocked' END;
    ELSE
      v_out := 'failed';
      v_msg := format('%s (SQLSTATE %s)', v_msg, v_state);
      IF v_state = '42501' AND v_run.job = 'close_months' THEN
        v_hint := format('Give the jobs login (%s) a personnel mandate over the organisations it closes: INSERT INTO cqs.mandate (kind, organisation_id, login, reference) VALUES (''personnel'', <the city''s organisation_id>, %L, ''<the decision>'').',
                         v_run.login, v_run.login);
      END IF;
      v_more := v_run.plan IS NOT NULL;   -- a failed batch stops an open-ended job
    END IF;
  END;
  INSERT INTO cqs.job_step (run_id, step_no, organisation_id, period, outcome, rows, message, hint)
  VALUES (v_run.run_id, step_no, v_org, v_per, v_out, coalesce(v_n, 0), v_msg, v_hint);
  UPDATE cqs.job_run r SET steps = r.steps + 1, failed_steps = r.failed_steps + (v_out = 'failed')::integer,
                           rows = r.rows + coalesce(v_n, 0)
   WHERE r.run_id = v_run.run_id;
  RETURN v_more;
END $$;
COMMENT ON FUNCTION cqs._job_step(bigint, integer) IS
  'One step of a job run (an organisation and period, a batch, the year): done, recorded in cqs.job_step with its outcome; errors are recorded, not raised';

-- Finish a run: ok, or failed with the first failure; the job's lock is released.
-- Returns the failure message (NULL when ok).
CREATE FUNCTION cqs._job_finish(run_id bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_run  cqs.job_run;
  v_sum  text;
  v_fail record;
BEGIN
  SELECT * INTO v_run FROM cqs.job_run r WHERE r.run_id = _job_finish.run_id AND r.status = 'running';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no running job run %', coalesce(_job_finish.run_id::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Jobs run with CALL cqs.run_job(job).';
  END IF;
  SELECT string_agg(format('%s %s', x.n, x.outcome), ', ' ORDER BY x.outcome) INTO v_sum
    FROM (SELECT s.outcome, count(*) AS n FROM cqs.job_step s WHERE s.run_id = v_run.run_id GROUP BY s.outcome) x;
  SELECT s.message, s.hint, s.organisation_id, s.period INTO v_fail FROM cqs.job_step s
   WHERE s.run_id = v_run.run_id AND s.outcome = 'failed' ORDER BY s.step_no LIMIT 1;
  UPDATE cqs.job_run r
     SET status = CASE WHEN v_fail.message IS NULL THEN 'ok' ELSE 'failed' END, finished_at = clock_timestamp(),
         message = concat_ws(': ', coalesce(v_sum, 'nothing to do'),
                             CASE WHEN v_fail.message IS NOT NULL THEN
                               concat_ws(' ', 'first failure', CASE WHEN v_fail.organisation_id IS NOT NULL THEN
                                           format('(organisation %s, period %s)', v_fail.organisation_id, v_fail.period) END,
                                         v_fail.message) END),
         hint = v_fail.hint
   WHERE r.run_id = v_run.run_id;
  -- Released however many times this session took it (a session that ran the job
  -- before and failed mid-way holds it still).
  WHILE EXISTS (SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory' AND k.pid = pg_backend_pid() AND k.granted
                   AND k.classid = 1073741824::oid AND k.objid = cqs._job_key(v_run.job)::oid AND k.objsubid = 2) LOOP
    PERFORM pg_advisory_unlock(1073741824, cqs._job_key(v_run.job));
  END LOOP;
  IF v_fail.message IS NOT NULL THEN
    RETURN format('job %s (run %s) failed: %s', v_run.job, v_run.run_id, v_fail.message);
  END IF;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION cqs._job_finish(bigint) IS
  'Finish a job run: ok or failed (the first failure), a summary of its steps; releases the job''s lock';

-- The jobs as pg_cron runs them: CALL cqs.run_job('close_months').  Outside a
-- transaction block every step commits on its own (pg_cron, psql); inside one (a test,
-- a DO block) the run is one transaction.  A failed run raises after its log is
-- committed, so pg_cron's own log says failed too; a skipped run only notices.
-- A procedure that COMMITs cannot carry a SET clause: it pins search_path itself in
-- every transaction and qualifies every operator (as cqs.process_queue does).
CREATE PROCEDURE cqs.run_job(job text)
LANGUAGE plpgsql AS $$
DECLARE
  v_path   text := pg_catalog.current_setting('search_path');
  v_atomic boolean;
  v_run    bigint;
  v_step   integer := 0;
  v_fail   text;
BEGIN
  SET LOCAL search_path = pg_catalog, pg_temp;
  PERFORM cqs._check_version();
  v_atomic := pg_catalog.statement_timestamp() OPERATOR(pg_catalog.<>) pg_catalog.transaction_timestamp();
  v_run := cqs._job_start(job);
  IF v_run IS NOT NULL THEN
    IF NOT v_atomic THEN
      COMMIT;
      SET LOCAL search_path = pg_catalog, pg_temp;
    END IF;
    WHILE cqs._job_step(v_run, v_step) LOOP
      v_step := v_step OPERATOR(pg_catalog.+) 1;
      IF NOT v_atomic THEN
        COMMIT;
        SET LOCAL search_path = pg_catalog, pg_temp;
      END IF;
    END LOOP;
    v_fail := cqs._job_finish(v_run);
    IF NOT v_atomic THEN
      COMMIT;
      SET LOCAL search_path = pg_catalog, pg_temp;
    END IF;
  END IF;
  PERFORM pg_catalog.set_config('search_path', v_path, true);
  IF v_fail IS NOT NULL THEN
    IF v_atomic THEN
      RAISE WARNING '%', v_fail USING HINT = 'SELECT * FROM cqs.job_runs ORDER BY run_id DESC; SELECT * FROM cqs.job_step WHERE outcome = ''failed'';';
    ELSE
      RAISE EXCEPTION '%', v_fail USING ERRCODE = 'object_not_in_prerequisite_state',
        HINT = 'SELECT * FROM cqs.job_runs ORDER BY run_id DESC; SELECT * FROM cqs.job_step WHERE outcome = ''failed'';';
    END IF;
  END IF;
END $$;
COMMENT ON PROCEDURE cqs.run_job(text) IS
  'Run a scheduled job (refresh_queue, close_months, grade_year, deliver_outbox, overdue, purge_logs): one run at a time (a second skips and is logged), a step per organisation or batch committed on its own, logged in cqs.job_run and cqs.job_step';

-- ---------------------------------------------------------------------------
-- Row-level security, dump registration, privileges.
-- ---------------------------------------------------------------------------
-- Outbox items name a person and their result: read like results (the person, whoever
-- evaluates them, every mandate over the organisation).
ALTER TABLE cqs.outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY outbox_read ON cqs.outbox FOR SELECT
  USING (person_id = (SELECT cqs.acting_person())
         OR organisation_id IN (SELECT unnest((SELECT cqs._seen_organisations())))
         OR (person_id, organisation_id) IN (SELECT e.person_id, e.organisation_id FROM cqs._evaluated() e));

SELECT pg_catalog.pg_extension_config_dump('cqs.outbox', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.outbox_batch', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.job_run', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.job_step', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.outbox', 'item_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.outbox_batch', 'batch_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.job_run', 'run_id'), '');

REVOKE EXECUTE ON FUNCTION cqs._outbox_enqueue(jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._outbox_claim(integer, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_prepare(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_next_batch(integer, interval) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_json(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_csv(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_acknowledge(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_release(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._outbox_from_locks() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._outbox_from_decisions() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._job_start(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._job_step(bigint, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._job_finish(bigint) FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE cqs.run_job(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.schedule_jobs(text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.unschedule_jobs() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._cron_problem(name) FROM PUBLIC;
