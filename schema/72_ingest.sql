-- ---------------------------------------------------------------------------
-- Taking work in (DOMAIN.md section 10; Huế plan III.2, III.4; the Ministry's letter of
-- 9/2/2026): tasks assigned in a document-management / task-assignment system (phần mềm
-- quản lý văn bản và điều hành, giao việc) become task lines (Art. 13-14, 18).
--
--   cqs.ingest_source        one source system: its code, its organisation scope, the
--                            login of its connector, its watermark and its cut-off policy
--   cqs.ingest_cutoff        a cut-off instant fixed for one period (overrides the policy)
--   cqs.ingest_assignee_map  external assignee id -> person, reviewed by a person
--   cqs.ingest_type_map      external task type -> catalogue item code and origin, reviewed
--   cqs.ingest_task          every external task received, keyed by (source, external id):
--                            its payload, status (matched, waiting, error, cancelled), the
--                            reason, and the task line it became (provenance)
--   cqs.ingest_batch         every batch: who sent it, when, how many items, outcomes
--
-- A batch (JSON array, or CSV with the same names as columns) is taken item by item:
-- an unchanged item is a no-op, a changed one updates its task line, a bad one is
-- reported with its SQLSTATE and reason and never rejects the good ones.  Assignees and
-- task types are matched only through the reviewed mappings -- never by name; an item
-- whose mapping is missing waits in the queue with the reason until a person reviews
-- the mapping and cqs.ingest_retry() takes it again.
-- ---------------------------------------------------------------------------

CREATE TABLE cqs.ingest_source (
  source           text PRIMARY KEY
                   CONSTRAINT ingest_source_code_valid CHECK (source ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
  name             text NOT NULL,
  organisation_id  bigint NOT NULL,   -- -> cqs.organisation: tasks only for people posted in its subtree
  connector_login  text,              -- the login (member of cqs_ingest) that sends its batches
  cutoff_after     interval NOT NULL DEFAULT interval '5 days'
                   CONSTRAINT ingest_source_cutoff_range
                   CHECK (cutoff_after >= interval '0' AND cutoff_after <= interval '92 days'),
  watermark        timestamptz,       -- the latest source time (updated_at) of an item taken in
  created_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE cqs.ingest_source IS
  'DOMAIN §10, Huế plan III.2: a document-management / task-assignment system (phần mềm quản lý văn bản và điều hành) sending tasks: organisation scope, connector login, watermark (latest source time taken in), cut-off policy (a period''s items are taken until cutoff_after past its end, Vietnam time)';
COMMENT ON COLUMN cqs.ingest_source.watermark IS
  'The latest updated_at of an item taken in (matched or waiting); a connector resumes from it';
COMMENT ON COLUMN cqs.ingest_source.cutoff_after IS
  'Items for a month are taken until this long after the month ends (00:00 Asia/Ho_Chi_Minh); later ones are refused (55000). cqs.ingest_cutoff fixes another instant for one period';

CREATE TABLE cqs.ingest_cutoff (
  source     text NOT NULL,   -- -> cqs.ingest_source
  period     date NOT NULL CONSTRAINT ingest_cutoff_period_is_month
             CHECK (date_part('day', period) = 1 AND cqs._sane_day(period)),
  cutoff_at  timestamptz NOT NULL,
  reason     text NOT NULL CONSTRAINT ingest_cutoff_reason_given CHECK (btrim(reason) <> ''),
  PRIMARY KEY (source, period)
);
COMMENT ON TABLE cqs.ingest_cutoff IS
  'DOMAIN §10: the cut-off instant of one period for one source (thời điểm chốt số liệu), overriding the source''s policy, with the reason';

CREATE TABLE cqs.ingest_assignee_map (
  source              text NOT NULL,   -- -> cqs.ingest_source
  external_assignee   text NOT NULL,
  person_id           bigint,          -- -> cqs.person; NULL: not reviewed yet
  seen_label          text,            -- what the source showed (a name): for the reviewer only, never matched
  first_seen_at       timestamptz NOT NULL DEFAULT now(),
  reviewed_by         text,            -- recorded by the database: the login
  reviewed_by_person  bigint,          -- and the person it acted for
  reviewed_at         timestamptz,
  note                text,
  PRIMARY KEY (source, external_assignee)
);
COMMENT ON TABLE cqs.ingest_assignee_map IS
  'DOMAIN §10: an external assignee id of a source mapped to a person by a reviewer (never by name); rows without a person are waiting for review';

CREATE TABLE cqs.ingest_type_map (
  source              text NOT NULL,   -- -> cqs.ingest_source
  external_type       text NOT NULL,
  item_code           text,            -- the catalogue item code, looked up in the catalogue in force (Art. 13)
  off_catalogue       boolean NOT NULL DEFAULT false,   -- Art. 13.3: off-catalogue work priced like this item
  coefficient         numeric CONSTRAINT ingest_type_map_coefficient_sane
                      CHECK (coefficient > 0 AND cqs._sane_amount(coefficient)),
  origin              text NOT NULL DEFAULT 'planned'
                      CONSTRAINT ingest_type_map_origin_valid
                      CHECK (origin IN ('planned', 'reassigned_away', 'taken_over', 'ad_hoc')),
  seen_label          text,
  first_seen_at       timestamptz NOT NULL DEFAULT now(),
  reviewed_by         text,
  reviewed_by_person  bigint,
  reviewed_at         timestamptz,
  note                text,
  PRIMARY KEY (source, external_type)
);
COMMENT ON TABLE cqs.ingest_type_map IS
  'Art. 13, 13.3, 18.1.d: an external task type of a source mapped by a reviewer to a catalogue item code (or a similar item for off-catalogue work), a coefficient where the item has a range, and an origin; rows without an item code are waiting for review';

CREATE TABLE cqs.ingest_batch (
  batch_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source        text NOT NULL,   -- -> cqs.ingest_source
  format        text NOT NULL CONSTRAINT ingest_batch_format_valid CHECK (format IN ('json', 'csv', 'retry')),
  login         text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  items         integer NOT NULL DEFAULT 0,
  inserted      integer NOT NULL DEFAULT 0,
  updated       integer NOT NULL DEFAULT 0,
  unchanged     integer NOT NULL DEFAULT 0,
  deleted       integer NOT NULL DEFAULT 0,
  waiting       integer NOT NULL DEFAULT 0,
  errors        integer NOT NULL DEFAULT 0,
  item_by_item  boolean NOT NULL DEFAULT false   -- the set-wise path failed; items were taken one by one
);
CREATE INDEX ingest_batch_source_idx ON cqs.ingest_batch (source, batch_id);
COMMENT ON TABLE cqs.ingest_batch IS
  'DOMAIN §10: every batch taken in (or retry): source, format, login, time, and how many items were inserted, updated, unchanged, deleted, waiting or in error';

CREATE TABLE cqs.ingest_task (
  source             text NOT NULL,   -- -> cqs.ingest_source
  external_id        text NOT NULL,
  payload            jsonb NOT NULL,
  source_updated_at  timestamptz NOT NULL,
  received_at        timestamptz NOT NULL DEFAULT now(),
  batch_id           bigint NOT NULL,  -- the batch that last changed it
  item_no            integer NOT NULL, -- its position in that batch
  status             text NOT NULL DEFAULT 'pending'
                     CONSTRAINT ingest_task_status_valid
                     CHECK (status IN ('pending', 'ready', 'cancel', 'matched', 'waiting', 'error', 'cancelled')),
  outcome            text,
  sqlstate           text,
  reason             text,
  task_line_id       bigint,           -- the task line it became (its external_source, external_id are these)
  -- what it was matched to (the task line's values that are not read from the payload)
  person_id          bigint,
  organisation_id    bigint,
  period             date,
  item_id            bigint,
  similar_item_id    bigint,
  title              text,
  coefficient        numeric,
  origin             text,
  PRIMARY KEY (source, external_id)
);
CREATE INDEX ingest_task_batch_idx ON cqs.ingest_task (batch_id);
CREATE INDEX ingest_task_waiting_idx ON cqs.ingest_task (source) WHERE status IN ('waiting', 'error');
COMMENT ON TABLE cqs.ingest_task IS
  'DOMAIN §10: every external task received, keyed by (source, external id): the payload as sent, its source time, the batch, its status (matched, waiting for a reviewed mapping, error, cancelled), SQLSTATE and reason, and the task line it became';

-- References to the records (person, organisation) are held like the records' own
-- (10_records.sql): the child side here.
CREATE TRIGGER ingest_source_organisation_id_ref_ins AFTER INSERT ON cqs.ingest_source REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_exist('organisation_id', 'organisation', 'organisation_id');
CREATE TRIGGER ingest_source_organisation_id_ref_upd AFTER UPDATE ON cqs.ingest_source REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_exist('organisation_id', 'organisation', 'organisation_id');
CREATE TRIGGER ingest_assignee_map_person_id_ref_ins AFTER INSERT ON cqs.ingest_assignee_map REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_exist('person_id', 'person', 'person_id');
CREATE TRIGGER ingest_assignee_map_person_id_ref_upd AFTER UPDATE ON cqs.ingest_assignee_map REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_exist('person_id', 'person', 'person_id');

-- A reviewed mapping records who reviewed it and when, by the database (never typed in);
-- a mapping names a person or an item code of a catalogue of the source's organisations.
CREATE FUNCTION cqs._ingest_map_reviewed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_org  bigint;
  v_code text;
BEGIN
  IF cqs._loading_records() THEN
    RETURN NEW;
  END IF;
  SELECT s.organisation_id INTO v_org FROM cqs.ingest_source s WHERE s.source = NEW.source;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no ingest source "%"', NEW.source
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_TABLE_NAME || '_source_ref';
  END IF;
  v_code := to_jsonb(NEW) ->> 'item_code';
  IF v_code IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM cqs.catalogue_item i JOIN cqs.catalogue c ON c.catalogue_id = i.catalogue_id
                      WHERE i.code = v_code
                        AND (c.organisation_id IN (SELECT t.descendant_id FROM cqs.organisation_closure t WHERE t.ancestor_id = v_org)
                             OR c.organisation_id IN (SELECT t.ancestor_id FROM cqs.organisation_closure t WHERE t.descendant_id = v_org))) THEN
    RAISE EXCEPTION 'type "%" of source "%": no catalogue of organisation % (or above or below it) has an item "%"',
                    to_jsonb(NEW) ->> 'external_type', NEW.source, v_org, v_code
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ingest_type_map_item_code_ref',
            HINT = 'Art. 13: map a task type to an item code of the catalogue the source''s organisations use.';
  END IF;
  IF TG_OP = 'INSERT' OR (to_jsonb(NEW) - 'note' - 'seen_label' - 'reviewed_by' - 'reviewed_by_person' - 'reviewed_at')
                         IS DISTINCT FROM (to_jsonb(OLD) - 'note' - 'seen_label' - 'reviewed_by' - 'reviewed_by_person' - 'reviewed_at') THEN
    IF (TG_TABLE_NAME = 'ingest_assignee_map' AND to_jsonb(NEW) ->> 'person_id' IS NOT NULL)
       OR (TG_TABLE_NAME = 'ingest_type_map' AND to_jsonb(NEW) ->> 'item_code' IS NOT NULL) THEN
      NEW.reviewed_by := cqs._actor_login();
      NEW.reviewed_by_person := cqs.acting_person();
      NEW.reviewed_at := now();
    ELSE
      NEW.reviewed_by := NULL;
      NEW.reviewed_by_person := NULL;
      NEW.reviewed_at := NULL;
    END IF;
  ELSE
    NEW.reviewed_by := OLD.reviewed_by;
    NEW.reviewed_by_person := OLD.reviewed_by_person;
    NEW.reviewed_at := OLD.reviewed_at;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ingest_assignee_map_reviewed BEFORE INSERT OR UPDATE ON cqs.ingest_assignee_map
  FOR EACH ROW EXECUTE FUNCTION cqs._ingest_map_reviewed();
CREATE TRIGGER ingest_type_map_reviewed BEFORE INSERT OR UPDATE ON cqs.ingest_type_map
  FOR EACH ROW EXECUTE FUNCTION cqs._ingest_map_reviewed();

-- ---------------------------------------------------------------------------
-- Reading the fields of an item: NULL when absent, and a flag when present but not
-- readable (so a bad value is reported, never taken as absent).
-- ---------------------------------------------------------------------------
-- (STABLE, not IMMUTABLE: the text-to-date and text-to-timestamptz casts are, for the
-- catalog; so labelled, the planner inlines them into the batch's queries.)
-- A calendar date written YYYY-MM-DD (years 1000-2999), or NULL.
CREATE FUNCTION cqs._ingest_date(txt text) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN txt ~ '^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
             AND pg_catalog.substr(txt, 9, 2)::integer
                 <= pg_catalog.date_part('day', pg_catalog.make_date(pg_catalog.substr(txt, 1, 4)::integer,
                                                                     pg_catalog.substr(txt, 6, 2)::integer, 1)
                                                + interval '1 month - 1 day')
            THEN txt::date END;

-- An ISO 8601 instant with its offset (2026-03-05T08:30:00+07:00, ...Z), or NULL.
CREATE FUNCTION cqs._ingest_instant(txt text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN txt ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)$'
             AND cqs._ingest_date(pg_catalog.substr(txt, 1, 10)) IS NOT NULL
            THEN pg_catalog.replace(txt, 'Z', '+00')::timestamptz END;

-- A number: a JSON number or a string like "2.5" or "2,5" (decimal comma), or NULL.
CREATE FUNCTION cqs._ingest_number(j jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE pg_catalog.jsonb_typeof(j)
         WHEN 'number' THEN (j #>> '{}')::numeric
         WHEN 'string' THEN CASE WHEN j #>> '{}' ~ '^\s*[0-9]{1,12}([.,][0-9]{1,20})?\s*$'
                                 THEN pg_catalog.replace(pg_catalog.btrim(j #>> '{}'), ',', '.')::numeric END
       END;

-- Is a key present with a value (not absent, not null, not "")?
CREATE FUNCTION cqs._ingest_given(j jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN j IS NOT NULL AND pg_catalog.jsonb_typeof(j) <> 'null' AND (j #>> '{}') <> '';

-- ---------------------------------------------------------------------------
-- CSV (RFC 4180: quoted fields, doubled quotes, embedded newlines, CRLF, UTF-8 BOM) to
-- the JSON items a batch holds: the header names the keys; empty fields are absent.  A
-- record whose field count differs from the header's becomes an item that says so.
-- Linear in the size of the text (lines are split once; only lines with a quote are
-- tokenised with a regular expression).  One function, so that a faster parser can
-- take its place.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs._ingest_csv_items(content text) RETURNS jsonb
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_header text[];
  v_items  jsonb;
  v_text   text := content;
BEGIN
  IF left(v_text, 1) = chr(65279) THEN
    v_text := substr(v_text, 2);
  END IF;
  WITH lines AS (
    SELECT x.l, x.n, (length(x.l) - length(replace(x.l, '"', ''))) % 2 AS odd
      FROM string_to_table(v_text, E'\n') WITH ORDINALITY AS x(l, n)
  ), opened AS (        -- a record starts on a line where no quote is left open
    SELECT l.l, l.n,
           coalesce(sum(l.odd) OVER (ORDER BY l.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) % 2 = 0 AS starts
      FROM lines l
  ), numbered AS (
    SELECT o.l, o.n, sum(o.starts::integer) OVER (ORDER BY o.n) AS rec FROM opened o
  ), records AS (
    SELECT min(nb.n) AS line_no, regexp_replace(string_agg(nb.l, E'\n' ORDER BY nb.n), E'\r$', '') AS r
      FROM numbered nb GROUP BY nb.rec
  ), fields AS (
    SELECT rc.line_no,
           CASE WHEN strpos(rc.r, '"') = 0 THEN string_to_array(rc.r, ',')
                ELSE (SELECT CASE WHEN string_agg(m.t[1], ',' ORDER BY m.k) = rc.r
                                  THEN array_agg(CASE WHEN left(m.t[1], 1) = '"'
                                                      THEN replace(substr(m.t[1], 2, length(m.t[1]) - 2), '""', '"')
                                                      ELSE m.t[1] END ORDER BY m.k) END
                        FROM regexp_matches(rc.r || ',', '("(?:[^"]|"")*"|[^",]*),', 'g') WITH ORDINALITY AS m(t, k))
           END AS f
      FROM records rc
     WHERE rc.r !~ '^\s*$'
  ), numbered_fields AS (
    SELECT fl.line_no, fl.f, row_number() OVER (ORDER BY fl.line_no) AS k FROM fields fl
  ), hdr AS (
    SELECT (SELECT array_agg(lower(btrim(u.h)) ORDER BY u.i) FROM unnest(nf.f) WITH ORDINALITY AS u(h, i)) AS h
      FROM numbered_fields nf WHERE nf.k = 1
  )
  SELECT hdr.h,
         (SELECT coalesce(jsonb_agg(
                   CASE WHEN nf.f IS NULL
                        THEN jsonb_build_object('_csv_error',
                               format('line %s: a quoted field is not closed or is followed by other characters', nf.line_no))
                        WHEN cardinality(nf.f) <> cardinality(hdr.h)
                        THEN jsonb_build_object('_csv_error', format('line %s has %s fields, the header has %s',
                                                                     nf.line_no, cardinality(nf.f), cardinality(hdr.h)))
                             || coalesce((SELECT jsonb_build_object('external_id', u.v)
                                            FROM unnest(hdr.h, nf.f) AS u(h, v) WHERE u.h = 'external_id' AND u.v <> ''), '{}')
                        ELSE (SELECT coalesce(jsonb_object_agg(u.h, u.v), '{}')
                                FROM unnest(hdr.h, nf.f) AS u(h, v) WHERE u.v <> '')
                   END ORDER BY nf.k), '[]')
            FROM numbered_fields nf WHERE nf.k > 1)
    INTO v_header, v_items
    FROM hdr;
  IF v_header IS NULL THEN
    RETURN '[]'::jsonb;
  END IF;
  IF NOT ('external_id' = ANY (v_header)) THEN
    RAISE EXCEPTION 'CSV header has no column "external_id" (it has: %)', array_to_string(v_header, ', ')
      USING ERRCODE = 'bad_copy_file_format', HINT = 'The first line names the columns; see docs/ingest.md.';
  END IF;
  RETURN v_items;
END $$;
COMMENT ON FUNCTION cqs._ingest_csv_items(text) IS
  'DOMAIN §10: a CSV batch (RFC 4180, header row naming the keys) as the JSON array of items cqs.ingest_tasks takes';

-- ---------------------------------------------------------------------------
-- Matching: for the items of a batch waiting to be taken (status pending), what each
-- becomes -- a task line's values, or the reason it waits or fails.  The first problem
-- is reported, in this order: its fields (22023, 23502 without a deadline, 23514 out of
-- bounds), its assignee's and type's reviewed mappings (waiting), where the person was
-- posted and the catalogue in force (waiting), the coefficient's range (23514), the
-- period's cut-off and lock (55000).  Set-wise: one pass over the batch.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs._ingest_resolve(p_batch bigint)
RETURNS TABLE (source text, external_id text, status text, sqlstate text, reason text,
               person_id bigint, organisation_id bigint, period date, item_id bigint, similar_item_id bigint,
               title text, coefficient numeric, assigned_qty numeric, deadline date, completed_qty numeric,
               completed_on date, origin text, cancel boolean)
LANGUAGE sql STABLE ROWS 10000 SET search_path = pg_catalog, pg_temp SET jit = off SET enable_nestloop = off AS $$
  WITH src AS (
    SELECT s.* FROM cqs.ingest_source s
     WHERE s.source = (SELECT b.source FROM cqs.ingest_batch b WHERE b.batch_id = p_batch)
  ), base AS (
    SELECT t.source, t.external_id, t.payload AS p,
           cqs._ingest_date(t.payload ->> 'deadline') AS deadline,
           cqs._ingest_date(t.payload ->> 'completed_on') AS completed_on,
           CASE WHEN t.payload ->> 'period' ~ '^[0-9]{4}-[0-9]{2}$' THEN cqs._ingest_date((t.payload ->> 'period') || '-01')
                ELSE date_trunc('month', cqs._ingest_date(t.payload ->> 'period'))::date END AS period_given,
           coalesce(cqs._ingest_number(t.payload -> 'assigned_qty'),
                    CASE WHEN NOT cqs._ingest_given(t.payload -> 'assigned_qty') THEN 1 END) AS assigned_qty,
           cqs._ingest_number(t.payload -> 'completed_qty') AS completed_qty,
           cqs._ingest_number(t.payload -> 'coefficient') AS coefficient_given,
           coalesce(t.payload ->> 'status', 'open') AS task_status,
           am.person_id AS mapped_person,
           tm.item_code, tm.off_catalogue, tm.coefficient AS map_coefficient,
           coalesce(t.payload ->> 'origin', tm.origin) AS origin
      FROM cqs.ingest_task t
      LEFT JOIN cqs.ingest_assignee_map am ON am.source = t.source AND am.external_assignee = t.payload ->> 'assignee'
      LEFT JOIN cqs.ingest_type_map tm ON tm.source = t.source AND tm.external_type = t.payload ->> 'task_type'
     WHERE t.batch_id = p_batch AND t.status = 'pending'
  ), dated AS MATERIALIZED (
    SELECT b.*, coalesce(b.period_given, date_trunc('month', b.deadline)::date) AS period FROM base b
  ), months AS (        -- where each person was posted, once per person and month
    SELECT x.person_id, x.period, ps.organisation_id,
           ps.organisation_id IN (SELECT c.descendant_id FROM cqs.organisation_closure c, src
                                   WHERE c.ancestor_id = src.organisation_id) AS in_scope
      FROM (SELECT DISTINCT d.mapped_person AS person_id, d.period FROM dated d
             WHERE d.mapped_person IS NOT NULL AND d.period IS NOT NULL) x
      LEFT JOIN LATERAL cqs.posting_in_force(x.person_id, x.period, (x.period + interval '1 month - 1 day')::date) ps ON true
  ), combos AS (        -- the catalogue versions in force and the cut-off, once per organisation and month
    SELECT x.organisation_id, x.period,
           cqs.catalogue_in_force(x.organisation_id, x.period) AS cat_first,
           cqs.catalogue_in_force(x.organisation_id, (x.period + interval '1 month - 1 day')::date) AS cat_last,
           coalesce(pol.cadence = 'quarterly', false) AS quarterly, coalesce(o.special_deadline, false) AS special_deadline
      FROM (SELECT DISTINCT m.organisation_id, m.period FROM months m WHERE m.organisation_id IS NOT NULL) x
      LEFT JOIN cqs.organisation_policy pol ON pol.organisation_id = x.organisation_id
      LEFT JOIN cqs.organisation o ON o.organisation_id = x.organisation_id
  ), items AS (
    SELECT DISTINCT co.organisation_id, co.period, d.item_code, it.item_id, it.coefficient_low, it.coefficient_high
      FROM combos co
      JOIN (SELECT DISTINCT m.organisation_id, m.period, d.item_code
              FROM dated d JOIN months m ON m.person_id = d.mapped_person AND m.period = d.period
             WHERE d.item_code IS NOT NULL) d ON d.organisation_id = co.organisation_id AND d.period = co.period
      LEFT JOIN LATERAL (SELECT i.item_id, i.coefficient_low, i.coefficient_high
                           FROM cqs.catalogue_item i
                          WHERE i.catalogue_id IN (co.cat_last, co.cat_first) AND i.code = d.item_code
                          ORDER BY i.catalogue_id = co.cat_last DESC LIMIT 1) it ON true
  ), cutoffs AS (
    SELECT DISTINCT d.period,
           coalesce((SELECT c.cutoff_at FROM cqs.ingest_cutoff c, src WHERE c.source = src.source AND c.period = d.period),
                    ((d.period + interval '1 month') + (SELECT src.cutoff_after FROM src)) AT TIME ZONE 'Asia/Ho_Chi_Minh') AS cutoff_at
      FROM dated d WHERE d.period IS NOT NULL
  ), locked AS (        -- the months of active locks of the people concerned
    SELECT lr.person_id, m.month, min(lr.lock_id) AS lock_id
      FROM cqs.locked_result lr
      JOIN cqs.period_lock pl ON pl.lock_id = lr.lock_id AND pl.reopened_at IS NULL
      CROSS JOIN LATERAL generate_series(lr.period::timestamp, cqs.period_end(lr.period, lr.period_kind) - 1, interval '1 month') AS m(month)
     WHERE lr.person_id IN (SELECT d.mapped_person FROM dated d)
     GROUP BY 1, 2
  ), judged AS (
    SELECT d.*, m.organisation_id, m.in_scope, it.item_id AS found_item, it.coefficient_low, it.coefficient_high,
           coalesce(d.coefficient_given, d.map_coefficient,
                    CASE WHEN it.coefficient_low = it.coefficient_high THEN trim_scale(it.coefficient_low) END) AS coefficient,
           cqs._counted_month(d.period, d.deadline, co.quarterly, co.special_deadline) AS counted,
           cu.cutoff_at
      FROM dated d
      LEFT JOIN months m ON m.person_id = d.mapped_person AND m.period = d.period
      LEFT JOIN combos co ON co.organisation_id = m.organisation_id AND co.period = d.period
      LEFT JOIN items it ON it.organisation_id = m.organisation_id AND it.period = d.period AND it.item_code = d.item_code
      LEFT JOIN cutoffs cu ON cu.period = d.period
  ), checked AS (       -- the first problem, in the order of the comment above
    SELECT j.*, lk.lock_id,
           CASE WHEN j.task_status = 'cancelled' AND now() >= j.cutoff_at THEN 22
                WHEN j.task_status = 'cancelled' THEN 1
                WHEN NOT cqs._ingest_given(j.p -> 'deadline') THEN 2
                WHEN j.deadline IS NULL THEN 3
                WHEN cqs._ingest_given(j.p -> 'completed_on') AND j.completed_on IS NULL THEN 4
                WHEN cqs._ingest_given(j.p -> 'period') AND j.period_given IS NULL THEN 5
                WHEN j.assigned_qty IS NULL THEN 6
                WHEN cqs._ingest_given(j.p -> 'completed_qty') AND j.completed_qty IS NULL THEN 7
                WHEN cqs._ingest_given(j.p -> 'coefficient') AND j.coefficient_given IS NULL THEN 8
                WHEN j.task_status NOT IN ('open', 'done', 'cancelled') THEN 9
                WHEN j.origin NOT IN ('planned', 'reassigned_away', 'taken_over', 'ad_hoc') THEN 10
                WHEN NOT (cqs._sane_day(j.deadline) AND cqs._sane_day(j.completed_on) AND cqs._sane_day(j.period))
                  OR NOT (cqs._sane_amount(j.assigned_qty) AND cqs._sane_amount(j.completed_qty) AND cqs._sane_amount(j.coefficient))
                  THEN 11
                WHEN j.coefficient_given = 0 THEN 12
                WHEN NOT cqs._ingest_given(j.p -> 'assignee') THEN 13
                WHEN NOT cqs._ingest_given(j.p -> 'task_type') THEN 14
                WHEN j.mapped_person IS NULL THEN 15
                WHEN j.item_code IS NULL THEN 16
                WHEN j.organisation_id IS NULL THEN 17
                WHEN NOT j.in_scope THEN 18
                WHEN j.found_item IS NULL THEN 19
                WHEN j.coefficient IS NULL THEN 20
                WHEN j.coefficient < j.coefficient_low OR j.coefficient > j.coefficient_high THEN 21
                WHEN now() >= j.cutoff_at THEN 22
                WHEN lk.lock_id IS NOT NULL THEN 23
                ELSE 0 END AS k
      FROM judged j
      LEFT JOIN locked lk ON lk.person_id = j.mapped_person AND lk.month = j.counted
  )
  SELECT c.source, c.external_id,
         CASE WHEN c.k = 0 THEN 'ready' WHEN c.k = 1 THEN 'cancel' WHEN c.k BETWEEN 15 AND 20 THEN 'waiting' ELSE 'error' END,
         CASE WHEN c.k IN (2, 13, 14) THEN '23502' WHEN c.k IN (11, 12, 21) THEN '23514' WHEN c.k IN (22, 23) THEN '55000'
              WHEN c.k BETWEEN 3 AND 10 THEN '22023' END,
         CASE c.k
           WHEN 2 THEN 'deadline is missing (Art. 18.1.b: every assigned task has one)'
           WHEN 3 THEN format('deadline "%s" is not a date (YYYY-MM-DD)', c.p ->> 'deadline')
           WHEN 4 THEN format('completed_on "%s" is not a date (YYYY-MM-DD)', c.p ->> 'completed_on')
           WHEN 5 THEN format('period "%s" is not a month (YYYY-MM)', c.p ->> 'period')
           WHEN 6 THEN format('assigned_qty "%s" is not a number', c.p ->> 'assigned_qty')
           WHEN 7 THEN format('completed_qty "%s" is not a number', c.p ->> 'completed_qty')
           WHEN 8 THEN format('coefficient "%s" is not a number', c.p ->> 'coefficient')
           WHEN 9 THEN format('status "%s" is not open, done or cancelled', c.task_status)
           WHEN 10 THEN format('origin "%s" is not planned, reassigned_away, taken_over or ad_hoc (Art. 18.1.d)', c.origin)
           WHEN 11 THEN 'a date outside 2000-2100 or a quantity or coefficient outside 0-1,000,000 with at most 4 decimals'
           WHEN 12 THEN 'coefficient must be positive'
           WHEN 13 THEN 'assignee is missing'
           WHEN 14 THEN 'task_type is missing'
           WHEN 15 THEN format('assignee "%s" of source "%s" has no reviewed mapping to a person (cqs.ingest_assignee_map)',
                               c.p ->> 'assignee', c.source)
           WHEN 16 THEN format('task type "%s" of source "%s" has no reviewed mapping to a catalogue item (cqs.ingest_type_map)',
                               c.p ->> 'task_type', c.source)
           WHEN 17 THEN format('person %s (assignee "%s") has no posting in %s', c.mapped_person, c.p ->> 'assignee',
                               to_char(c.period, 'YYYY-MM'))
           WHEN 18 THEN format('person %s is posted in organisation %s in %s, outside the scope of source "%s"',
                               c.mapped_person, c.organisation_id, to_char(c.period, 'YYYY-MM'), c.source)
           WHEN 19 THEN format('no item "%s" in the catalogue in force for organisation %s in %s (Art. 13)', c.item_code,
                               c.organisation_id, to_char(c.period, 'YYYY-MM'))
           WHEN 20 THEN format('item "%s" has a range of coefficients (%s to %s): the task or the type''s mapping must fix one (HB ch. II)',
                               c.item_code, trim_scale(c.coefficient_low), trim_scale(c.coefficient_high))
           WHEN 21 THEN format('coefficient %s is outside item "%s"''s range %s to %s (HB ch. II)', c.coefficient, c.item_code,
                               trim_scale(c.coefficient_low), trim_scale(c.coefficient_high))
           WHEN 22 THEN format('period %s of source "%s" was cut off at %s (Vietnam time): it takes no more changes',
                               to_char(c.period, 'YYYY-MM'), c.source,
                               to_char(c.cutoff_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI'))
           WHEN 23 THEN format('period %s of person %s is locked (lock %s); its task lines cannot change (Art. 21.3: cqs.reopen_period)',
                               to_char(c.counted, 'YYYY-MM'), c.mapped_person, c.lock_id)
         END,
         c.mapped_person, c.organisation_id, c.period,
         CASE WHEN NOT coalesce(c.off_catalogue, false) THEN c.found_item END,
         CASE WHEN c.off_catalogue THEN c.found_item END,
         coalesce(c.p ->> 'title', CASE WHEN c.off_catalogue THEN c.p ->> 'task_type' END),
         c.coefficient, c.assigned_qty, c.deadline, c.completed_qty, c.completed_on, c.origin,
         c.task_status = 'cancelled'
    FROM checked c
$$;
REVOKE EXECUTE ON FUNCTION cqs._ingest_resolve(bigint) FROM PUBLIC;
COMMENT ON FUNCTION cqs._ingest_resolve(bigint) IS
  'DOMAIN §10, Art. 13, 18.1.b: what each pending item of a batch becomes: a task line''s values, or why it waits or fails';

-- Take the pending items of a batch: set-wise (one upsert of the task lines); if that
-- statement fails (a check this pass did not foresee, a lock taken meanwhile), item by
-- item, each in its own subtransaction, so one bad item never rejects the others.
CREATE FUNCTION cqs._ingest_take(p_batch bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_source text;
  v_it     record;
  v_line   bigint;
  v_ins    boolean;
  v_state  text;
  v_msg    text;
BEGIN
  SELECT b.source INTO v_source FROM cqs.ingest_batch b WHERE b.batch_id = p_batch;
  -- What each item becomes, kept on the item (ready and cancel are transient).
  UPDATE cqs.ingest_task t
     SET status = rs.status, outcome = CASE WHEN rs.status IN ('waiting', 'error') THEN rs.status END,
         sqlstate = rs.sqlstate, reason = rs.reason, person_id = rs.person_id, organisation_id = rs.organisation_id,
         period = rs.period, item_id = rs.item_id, similar_item_id = rs.similar_item_id, title = rs.title,
         coefficient = rs.coefficient, origin = rs.origin
    FROM cqs._ingest_resolve(p_batch) rs
   WHERE t.source = rs.source AND t.external_id = rs.external_id;

  BEGIN
    WITH up AS (
      INSERT INTO cqs.task_line AS tl (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient,
                                       assigned_qty, deadline, completed_qty, completed_on, origin,
                                       external_source, external_id)
      SELECT t.person_id, t.organisation_id, t.period, t.item_id, t.similar_item_id, t.title, t.coefficient,
             coalesce(cqs._ingest_number(t.payload -> 'assigned_qty'), 1), cqs._ingest_date(t.payload ->> 'deadline'),
             cqs._ingest_number(t.payload -> 'completed_qty'), cqs._ingest_date(t.payload ->> 'completed_on'),
             t.origin, t.source, t.external_id
        FROM cqs.ingest_task t WHERE t.batch_id = p_batch AND t.status = 'ready'
       ORDER BY t.external_id
      ON CONFLICT (external_source, external_id) DO UPDATE
         SET person_id = excluded.person_id, organisation_id = excluded.organisation_id, period = excluded.period,
             item_id = excluded.item_id, similar_item_id = excluded.similar_item_id, title = excluded.title,
             coefficient = excluded.coefficient, assigned_qty = excluded.assigned_qty, deadline = excluded.deadline,
             completed_qty = excluded.completed_qty, completed_on = excluded.completed_on, origin = excluded.origin
       WHERE (tl.person_id, tl.organisation_id, tl.period, tl.item_id, tl.similar_item_id, tl.title, tl.coefficient,
              tl.assigned_qty, tl.deadline, tl.completed_qty, tl.completed_on, tl.origin)
             IS DISTINCT FROM
             (excluded.person_id, excluded.organisation_id, excluded.period, excluded.item_id, excluded.similar_item_id,
              excluded.title, excluded.coefficient, excluded.assigned_qty, excluded.deadline, excluded.completed_qty,
              excluded.completed_on, excluded.origin)
      RETURNING tl.task_line_id, tl.external_id, (tl.xmax = 0) AS inserted
    )
    UPDATE cqs.ingest_task t
       SET status = 'matched', outcome = CASE WHEN up.inserted THEN 'inserted' ELSE 'updated' END,
           task_line_id = up.task_line_id, sqlstate = NULL, reason = NULL
      FROM up
     WHERE t.source = v_source AND t.external_id = up.external_id;
    -- Lines left as they were.
    UPDATE cqs.ingest_task t
       SET status = 'matched', outcome = 'unchanged', sqlstate = NULL, reason = NULL,
           task_line_id = (SELECT x.task_line_id FROM cqs.task_line x
                            WHERE x.external_source = t.source AND x.external_id = t.external_id)
     WHERE t.batch_id = p_batch AND t.status = 'ready';
    -- Cancelled in the source: the line goes (by its key, one by one: cancellations are
    -- few, and a join of the batch with every task line is what the planner must not pick).
    FOR v_it IN SELECT t.source, t.external_id FROM cqs.ingest_task t
                 WHERE t.batch_id = p_batch AND t.status = 'cancel' ORDER BY t.external_id LOOP
      DELETE FROM cqs.task_line tl WHERE tl.external_source = v_it.source AND tl.external_id = v_it.external_id
      RETURNING tl.task_line_id INTO v_line;
      UPDATE cqs.ingest_task t
         SET status = 'cancelled', outcome = CASE WHEN v_line IS NULL THEN 'unchanged' ELSE 'deleted' END,
             task_line_id = NULL, sqlstate = NULL, reason = NULL
       WHERE t.source = v_it.source AND t.external_id = v_it.external_id;
      v_line := NULL;
    END LOOP;
    RETURN;
  EXCEPTION WHEN OTHERS THEN
    NULL;                               -- rolled back to the start of the block: item by item below
  END;

  UPDATE cqs.ingest_batch b SET item_by_item = true WHERE b.batch_id = p_batch;
  FOR v_it IN SELECT t.* FROM cqs.ingest_task t
               WHERE t.batch_id = p_batch AND t.status IN ('ready', 'cancel') ORDER BY t.external_id LOOP
    v_line := NULL;
    v_ins := NULL;
    BEGIN
      IF v_it.status = 'ready' THEN
        INSERT INTO cqs.task_line AS tl (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient,
                                         assigned_qty, deadline, completed_qty, completed_on, origin,
                                         external_source, external_id)
        VALUES (v_it.person_id, v_it.organisation_id, v_it.period, v_it.item_id, v_it.similar_item_id, v_it.title,
                v_it.coefficient, coalesce(cqs._ingest_number(v_it.payload -> 'assigned_qty'), 1),
                cqs._ingest_date(v_it.payload ->> 'deadline'), cqs._ingest_number(v_it.payload -> 'completed_qty'),
                cqs._ingest_date(v_it.payload ->> 'completed_on'), v_it.origin, v_it.source, v_it.external_id)
        ON CONFLICT (external_source, external_id) DO UPDATE
           SET person_id = excluded.person_id, organisation_id = excluded.organisation_id, period = excluded.period,
               item_id = excluded.item_id, similar_item_id = excluded.similar_item_id, title = excluded.title,
               coefficient = excluded.coefficient, assigned_qty = excluded.assigned_qty, deadline = excluded.deadline,
               completed_qty = excluded.completed_qty, completed_on = excluded.completed_on, origin = excluded.origin
         WHERE (tl.person_id, tl.organisation_id, tl.period, tl.item_id, tl.similar_item_id, tl.title, tl.coefficient,
                tl.assigned_qty, tl.deadline, tl.completed_qty, tl.completed_on, tl.origin)
               IS DISTINCT FROM
               (excluded.person_id, excluded.organisation_id, excluded.period, excluded.item_id, excluded.similar_item_id,
                excluded.title, excluded.coefficient, excluded.assigned_qty, excluded.deadline, excluded.completed_qty,
                excluded.completed_on, excluded.origin)
        RETURNING tl.task_line_id, (tl.xmax = 0) INTO v_line, v_ins;
        IF v_line IS NULL THEN
          SELECT x.task_line_id INTO v_line FROM cqs.task_line x
           WHERE x.external_source = v_it.source AND x.external_id = v_it.external_id;
        END IF;
        UPDATE cqs.ingest_task t
           SET status = 'matched', outcome = CASE WHEN v_ins THEN 'inserted' WHEN v_ins IS NOT NULL THEN 'updated' ELSE 'unchanged' END,
               sqlstate = NULL, reason = NULL, task_line_id = v_line
         WHERE t.source = v_it.source AND t.external_id = v_it.external_id;
      ELSE
        DELETE FROM cqs.task_line tl WHERE tl.external_source = v_it.source AND tl.external_id = v_it.external_id
        RETURNING tl.task_line_id INTO v_line;
        UPDATE cqs.ingest_task t
           SET status = 'cancelled', outcome = CASE WHEN v_line IS NULL THEN 'unchanged' ELSE 'deleted' END,
               sqlstate = NULL, reason = NULL, task_line_id = NULL
         WHERE t.source = v_it.source AND t.external_id = v_it.external_id;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
      UPDATE cqs.ingest_task t SET status = 'error', outcome = 'error', sqlstate = v_state, reason = v_msg
       WHERE t.source = v_it.source AND t.external_id = v_it.external_id;
    END;
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION cqs._ingest_take(bigint) FROM PUBLIC;
COMMENT ON FUNCTION cqs._ingest_take(bigint) IS
  'DOMAIN §10: take the pending items of a batch into task lines, set-wise, or item by item where the set-wise statement fails';

-- Who may send to a source: its connector login (a member of cqs_ingest), an
-- administrator, a superuser acting for nobody.  The source row, or 22023 / 42501.
CREATE FUNCTION cqs._ingest_source_for(p_source text, p_reviewers boolean) RETURNS cqs.ingest_source
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_src   cqs.ingest_source;
  v_login text := cqs._actor_login();
BEGIN
  SELECT * INTO v_src FROM cqs.ingest_source s WHERE s.source = p_source;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no ingest source "%"', p_source
      USING ERRCODE = 'invalid_parameter_value', HINT = 'An administrator registers each source in cqs.ingest_source.';
  END IF;
  IF cqs._is_admin()
     OR (v_src.connector_login = v_login AND cqs._in_group(v_login, 'cqs_ingest'))
     OR (p_reviewers AND v_src.organisation_id = ANY (cqs._personnel_organisations())) THEN
    RETURN v_src;
  END IF;
  RAISE EXCEPTION 'login % may not take tasks in from source "%"', v_login, p_source
    USING ERRCODE = 'insufficient_privilege',
          DETAIL = format('The source''s connector login is %s.', coalesce(v_src.connector_login, 'not set')),
          HINT = 'DOMAIN §10: a source''s batches come from its connector login (a member of cqs_ingest); the personnel section of its organisation and administrators may retry its queue.';
END $$;

-- Close a batch: its counts, and the source's watermark (the latest source time of an
-- item it took in, matched or waiting).
CREATE FUNCTION cqs._ingest_close(p_batch bigint, p_malformed integer) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_source text;
  v_mark   timestamptz;
BEGIN
  UPDATE cqs.ingest_batch b
     SET inserted = x.inserted, updated = x.updated, deleted = x.deleted, waiting = x.waiting,
         errors = x.errors + p_malformed, unchanged = b.items - x.inserted - x.updated - x.deleted - x.waiting - x.errors - p_malformed
    FROM (SELECT count(*) FILTER (WHERE t.outcome = 'inserted')::integer AS inserted,
                 count(*) FILTER (WHERE t.outcome = 'updated')::integer AS updated,
                 count(*) FILTER (WHERE t.outcome = 'deleted')::integer AS deleted,
                 count(*) FILTER (WHERE t.outcome = 'waiting')::integer AS waiting,
                 count(*) FILTER (WHERE t.outcome = 'error')::integer AS errors,
                 max(t.source_updated_at) FILTER (WHERE t.status IN ('matched', 'waiting', 'cancelled')) AS mark
            FROM cqs.ingest_task t WHERE t.batch_id = p_batch) x
   WHERE b.batch_id = p_batch
  RETURNING b.source, x.mark INTO v_source, v_mark;
  IF v_mark IS NOT NULL THEN
    UPDATE cqs.ingest_source s SET watermark = greatest(s.watermark, v_mark)
     WHERE s.source = v_source AND s.watermark IS DISTINCT FROM greatest(s.watermark, v_mark);
  END IF;
END $$;

-- ---------------------------------------------------------------------------
-- The entry points.
-- ---------------------------------------------------------------------------
-- The batch, whichever format it came in (the entry points below check who sends it).
CREATE FUNCTION cqs._ingest(p_source text, batch jsonb, p_format text)
RETURNS TABLE (item_no integer, external_id text, outcome text, task_line_id bigint, sqlstate text, reason text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
#variable_conflict use_column
DECLARE
  v_src       cqs.ingest_source;
  v_batch     bigint;
  v_malformed integer;
  v_format    text := p_format;
BEGIN
  v_src := cqs._ingest_source_for(p_source, false);
  IF batch IS NULL OR jsonb_typeof(batch) <> 'array' THEN
    RAISE EXCEPTION 'a batch is a JSON array of task objects, got %', coalesce(jsonb_typeof(batch), 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'See docs/ingest.md for the fields of an item.';
  END IF;
  PERFORM cqs._audit_reason(format('ingest from source "%s"', v_src.source));
  INSERT INTO cqs.ingest_batch (source, format, login, items)
  VALUES (v_src.source, v_format, cqs._actor_login(), jsonb_array_length(batch))
  RETURNING batch_id INTO v_batch;

  -- 1. Stage: every well-formed item, the last of each external id, keyed; an unchanged
  --    payload (or one older than the version held) is left alone.  In key order, so
  --    that two connectors sending overlapping batches wait for each other, never deadlock.
  WITH items AS (
    SELECT e.value AS j, e.ord::integer AS n FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(value, ord)
  ), keyed AS (
    SELECT i.j, i.n, i.j ->> 'external_id' AS xid, cqs._ingest_instant(i.j ->> 'updated_at') AS ts
      FROM items i
     WHERE jsonb_typeof(i.j) = 'object' AND NOT i.j ? '_csv_error'
  ), last AS (
    SELECT DISTINCT ON (k.xid) k.* FROM keyed k
     WHERE k.xid IS NOT NULL AND length(k.xid) BETWEEN 1 AND 200 AND k.ts IS NOT NULL
     ORDER BY k.xid, k.n DESC
  )
  INSERT INTO cqs.ingest_task AS t (source, external_id, payload, source_updated_at, batch_id, item_no, status)
  SELECT v_src.source, l.xid, l.j, l.ts, v_batch, l.n, 'pending' FROM last l ORDER BY l.xid
  ON CONFLICT ON CONSTRAINT ingest_task_pkey DO UPDATE
     SET payload = excluded.payload, source_updated_at = excluded.source_updated_at, received_at = now(),
         batch_id = excluded.batch_id, item_no = excluded.item_no, status = 'pending', outcome = NULL
   WHERE excluded.source_updated_at >= t.source_updated_at
     AND (t.payload IS DISTINCT FROM excluded.payload OR t.status IN ('waiting', 'error'));

  -- 2. Unknown assignees and task types are put before the reviewers (never matched by name).
  INSERT INTO cqs.ingest_assignee_map AS m (source, external_assignee, seen_label)
  SELECT DISTINCT ON (t.payload ->> 'assignee') t.source, t.payload ->> 'assignee', t.payload ->> 'assignee_name'
    FROM cqs.ingest_task t
   WHERE t.batch_id = v_batch AND cqs._ingest_given(t.payload -> 'assignee')
     AND NOT EXISTS (SELECT 1 FROM cqs.ingest_assignee_map x WHERE x.source = t.source AND x.external_assignee = t.payload ->> 'assignee')
   ORDER BY t.payload ->> 'assignee'
  ON CONFLICT DO NOTHING;
  INSERT INTO cqs.ingest_type_map AS m (source, external_type, seen_label)
  SELECT DISTINCT ON (t.payload ->> 'task_type') t.source, t.payload ->> 'task_type', t.payload ->> 'task_type_name'
    FROM cqs.ingest_task t
   WHERE t.batch_id = v_batch AND cqs._ingest_given(t.payload -> 'task_type')
     AND NOT EXISTS (SELECT 1 FROM cqs.ingest_type_map x WHERE x.source = t.source AND x.external_type = t.payload ->> 'task_type')
   ORDER BY t.payload ->> 'task_type'
  ON CONFLICT DO NOTHING;

  -- 3. Match and take.
  PERFORM cqs._ingest_take(v_batch);

  -- 4. One answer per item, in batch order.
  RETURN QUERY
  WITH items AS (
    SELECT e.value AS j, e.ord::integer AS n FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(value, ord)
  ), answered AS (
    SELECT i.n, i.j ->> 'external_id' AS xid, t.batch_id, t.item_no AS t_item, t.outcome AS t_outcome,
           t.task_line_id AS t_line, t.sqlstate AS t_state, t.reason AS t_reason, t.source_updated_at,
           CASE WHEN jsonb_typeof(i.j) <> 'object' THEN format('item %s is not a JSON object', i.n)
                WHEN i.j ? '_csv_error' THEN i.j ->> '_csv_error'
                WHEN NOT cqs._ingest_given(i.j -> 'external_id') OR length(i.j ->> 'external_id') > 200
                  THEN 'external_id is missing (or longer than 200 characters)'
                WHEN NOT cqs._ingest_given(i.j -> 'updated_at') THEN 'updated_at (the source''s time of the change) is missing'
                WHEN cqs._ingest_instant(i.j ->> 'updated_at') IS NULL
                  THEN format('updated_at "%s" is not an ISO 8601 time with its offset', i.j ->> 'updated_at')
           END AS malformed,
           CASE WHEN jsonb_typeof(i.j) = 'object' AND i.j ? '_csv_error' THEN '22P04' ELSE '22023' END AS malformed_state,
           cqs._ingest_instant(i.j ->> 'updated_at') AS ts
      FROM items i
      LEFT JOIN cqs.ingest_task t ON t.source = v_src.source AND t.external_id = i.j ->> 'external_id'
                                  AND jsonb_typeof(i.j) = 'object'
  )
  SELECT a.n, a.xid,
         CASE WHEN a.malformed IS NOT NULL THEN 'error'
              WHEN a.batch_id = v_batch AND a.t_item = a.n THEN a.t_outcome
              ELSE 'unchanged' END,
         CASE WHEN a.malformed IS NULL THEN a.t_line END,
         CASE WHEN a.malformed IS NOT NULL THEN a.malformed_state
              WHEN a.batch_id = v_batch AND a.t_item = a.n THEN a.t_state END,
         CASE WHEN a.malformed IS NOT NULL THEN a.malformed
              WHEN a.batch_id = v_batch AND a.t_item = a.n THEN a.t_reason
              WHEN a.batch_id = v_batch THEN format('superseded by item %s of this batch', a.t_item)
              WHEN a.ts < a.source_updated_at
                THEN format('older than the version held (updated_at %s)',
                            to_char(a.source_updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
              ELSE 'the same as the version held' END
    FROM answered a
   ORDER BY a.n;

  SELECT count(*)::integer INTO v_malformed
    FROM jsonb_array_elements(batch) AS e(j)
   WHERE jsonb_typeof(e.j) <> 'object' OR e.j ? '_csv_error' OR NOT cqs._ingest_given(e.j -> 'external_id')
      OR length(e.j ->> 'external_id') > 200 OR cqs._ingest_instant(e.j ->> 'updated_at') IS NULL;
  PERFORM cqs._ingest_close(v_batch, v_malformed);
END $$;
REVOKE EXECUTE ON FUNCTION cqs._ingest(text, jsonb, text) FROM PUBLIC;

CREATE FUNCTION cqs.ingest_tasks(source text, batch jsonb)
RETURNS TABLE (item_no integer, external_id text, outcome text, task_line_id bigint, sqlstate text, reason text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT * FROM cqs._ingest($1, $2, 'json')
$$;
COMMENT ON FUNCTION cqs.ingest_tasks(text, jsonb) IS
  'DOMAIN §10, Huế plan III.2, Art. 13, 18: take a batch of tasks from a document-management system (JSON array) into task lines, keyed by (source, external id): idempotent upsert, one answer per item (inserted, updated, unchanged, deleted, waiting, error with SQLSTATE and reason); bad items never reject good ones';

CREATE FUNCTION cqs.ingest_tasks_csv(source text, content text)
RETURNS TABLE (item_no integer, external_id text, outcome text, task_line_id bigint, sqlstate text, reason text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM cqs._ingest_source_for(ingest_tasks_csv.source, false);   -- before reading the text
  IF content IS NULL THEN
    RAISE EXCEPTION 'a CSV batch is text, got NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY SELECT * FROM cqs._ingest(ingest_tasks_csv.source, cqs._ingest_csv_items(content), 'csv');
END $$;
COMMENT ON FUNCTION cqs.ingest_tasks_csv(text, text) IS
  'DOMAIN §10, Huế plan III.2: cqs.ingest_tasks for a CSV batch (header row; the columns are the JSON keys; item_no counts data records)';

-- Take the waiting items of a source again (after their mappings were reviewed), and
-- optionally those in error (after a period was reopened): one answer per item taken.
CREATE FUNCTION cqs.ingest_retry(source text, include_errors boolean DEFAULT false)
RETURNS TABLE (external_id text, outcome text, task_line_id bigint, sqlstate text, reason text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
#variable_conflict use_column
DECLARE
  v_src   cqs.ingest_source;
  v_batch bigint;
  v_n     integer;
BEGIN
  v_src := cqs._ingest_source_for(ingest_retry.source, true);
  PERFORM cqs._audit_reason(format('ingest retry of source "%s"', v_src.source));
  INSERT INTO cqs.ingest_batch (source, format, login) VALUES (v_src.source, 'retry', cqs._actor_login())
  RETURNING batch_id INTO v_batch;
  WITH taken AS (
    SELECT t.source, t.external_id FROM cqs.ingest_task t
     WHERE t.source = v_src.source
       AND (t.status = 'waiting' OR (include_errors AND t.status = 'error'))
     ORDER BY t.external_id
       FOR UPDATE
  ), numbered AS (
    SELECT k.*, row_number() OVER (ORDER BY k.external_id)::integer AS n FROM taken k
  )
  UPDATE cqs.ingest_task t SET status = 'pending', batch_id = v_batch, item_no = nb.n, outcome = NULL
    FROM numbered nb WHERE t.source = nb.source AND t.external_id = nb.external_id;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  UPDATE cqs.ingest_batch b SET items = v_n WHERE b.batch_id = v_batch;
  PERFORM cqs._ingest_take(v_batch);
  PERFORM cqs._ingest_close(v_batch, 0);
  RETURN QUERY SELECT t.external_id, t.outcome, t.task_line_id, t.sqlstate, t.reason
                 FROM cqs.ingest_task t WHERE t.batch_id = v_batch ORDER BY t.item_no;
END $$;
COMMENT ON FUNCTION cqs.ingest_retry(text, boolean) IS
  'DOMAIN §10: take a source''s waiting items again once their mappings are reviewed (and those in error, e.g. after cqs.reopen_period, Art. 21.3)';

-- ---------------------------------------------------------------------------
-- What the reviewers and the connector read.
-- ---------------------------------------------------------------------------
CREATE VIEW cqs.ingest_queue AS
SELECT t.source, t.external_id, t.status, t.sqlstate, t.reason, t.received_at, t.source_updated_at, t.batch_id,
       t.payload ->> 'assignee' AS assignee, t.payload ->> 'task_type' AS task_type,
       t.payload ->> 'title' AS title, t.payload ->> 'deadline' AS deadline, t.payload
  FROM cqs.ingest_task t
 WHERE t.status IN ('waiting', 'error');
COMMENT ON VIEW cqs.ingest_queue IS
  'DOMAIN §10: the items of each source waiting for a reviewed mapping, or in error, with the reason (hàng chờ xử lý)';

CREATE VIEW cqs.ingest_unmapped AS
SELECT 'assignee'::text AS kind, m.source, m.external_assignee AS external_key, m.seen_label, m.first_seen_at,
       (SELECT count(*) FROM cqs.ingest_task t
         WHERE t.source = m.source AND t.status = 'waiting' AND t.payload ->> 'assignee' = m.external_assignee) AS items_waiting
  FROM cqs.ingest_assignee_map m WHERE m.person_id IS NULL
UNION ALL
SELECT 'task_type', m.source, m.external_type, m.seen_label, m.first_seen_at,
       (SELECT count(*) FROM cqs.ingest_task t
         WHERE t.source = m.source AND t.status = 'waiting' AND t.payload ->> 'task_type' = m.external_type)
  FROM cqs.ingest_type_map m WHERE m.item_code IS NULL;
COMMENT ON VIEW cqs.ingest_unmapped IS
  'DOMAIN §10: external assignees and task types a person must still map (never matched by name), with the items waiting on each';

CREATE VIEW cqs.ingest_provenance AS
SELECT tl.task_line_id, tl.person_id, tl.period, t.source, t.external_id, t.source_updated_at, t.received_at,
       t.batch_id, b.login AS batch_login, b.received_at AS batch_received_at, t.payload
  FROM cqs.task_line tl
  JOIN cqs.ingest_task t ON t.source = tl.external_source AND t.external_id = tl.external_id
  JOIN cqs.ingest_batch b ON b.batch_id = t.batch_id;
COMMENT ON VIEW cqs.ingest_provenance IS
  'DOMAIN §10: where each task line taken in came from: source, external id, source time, the batch and login that last changed it, the payload';
