-- Coordination v1.1 (issue 11):
-- 1. The check shows other agencies' plans: each recipient's submitted or approved plan lines
--    of other agencies in the same fiscal year (drafts and rejected lines never), with their
--    programme's category, and flags SAME_CATEGORY_PLANNED / SAME_CATEGORY_RECEIVED (another
--    programme of the same aid_category planned / delivered). ALREADY_RECEIVING_SAME_KIND,
--    which compared aid_kind ("in kind": a house and toddler food alike), is no longer raised.
--    Still one set-based statement: plan lines are found by index (household or person and
--    year; by NIK/KK text only for recipients the registry does not hold).
-- 2. A coordinator approves a flagged line only by acknowledging its flags: the decision stores
--    acknowledged_flags (with who and when) and the database refuses a line going to 'approved'
--    whose flags are not all acknowledged (PD036). A decision may add flags the live check found
--    since the plan was made (flags only grow after submission), never remove one.
-- 3. Where a KK line lives (village) and, for the coordinator or once approved, whose household
--    it is (head's name), for the plan's readers only.
SET LOCAL ROLE padu_owner;

-- (household_id, fiscal_year) and (person_id, fiscal_year) serve the check and the row-level
-- policies that looked lines up by household or person alone. The check reads what it needs
-- of a household's lines from the index alone (no heap visit per line once vacuumed).
CREATE INDEX plan_lines_household_year ON padu.plan_lines (household_id, fiscal_year)
    INCLUDE (agency_id, status, plan_id, program_id, id) WHERE household_id IS NOT NULL;
CREATE INDEX plan_lines_person_year ON padu.plan_lines (person_id, fiscal_year) WHERE person_id IS NOT NULL;
DROP INDEX padu.plan_lines_household;
DROP INDEX padu.plan_lines_person;
-- Recipients the registry does not hold are found by the number as sent.
CREATE INDEX plan_lines_unregistered_nik ON padu.plan_lines (nik, fiscal_year) WHERE nik IS NOT NULL AND person_id IS NULL;
CREATE INDEX plan_lines_unregistered_kk ON padu.plan_lines (kk, fiscal_year) WHERE kk IS NOT NULL AND household_id IS NULL;
-- A delivery refused for a rejected line quotes the coordinator's reason (DeliveryStore).
CREATE INDEX plan_lines_rejected_nik ON padu.plan_lines (program_id, fiscal_year, nik) WHERE status = 'rejected';
CREATE INDEX plan_lines_rejected_kk ON padu.plan_lines (program_id, fiscal_year, kk) WHERE status = 'rejected';

-- A line answers name_matches as its check did when the plan was made (the name itself is not
-- kept), and keeps it.
ALTER TABLE padu.plan_lines ADD COLUMN name_matches boolean;

ALTER TABLE padu.plan_lines
    ADD COLUMN acknowledged_flags text[] NOT NULL DEFAULT '{}',
    ADD COLUMN acknowledged_by bigint,
    ADD COLUMN acknowledged_at timestamptz,
    ADD CONSTRAINT plan_lines_acknowledged_by_whom
        CHECK ((acknowledged_flags = '{}') = (acknowledged_at IS NULL) AND (acknowledged_at IS NULL) = (acknowledged_by IS NULL));

-- The flags a coordinator must acknowledge to approve a line: all but the retired one, which
-- old lines may still carry.
CREATE FUNCTION padu.flags_to_acknowledge(flags text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog
RETURN array_remove(flags, 'ALREADY_RECEIVING_SAME_KIND');
GRANT EXECUTE ON FUNCTION padu.flags_to_acknowledge(text[]) TO padu_agency, padu_coordinator;

-- A line starts pending and unacknowledged; it keeps its plan and recipient.
CREATE OR REPLACE FUNCTION padu.plan_lines_keep_recipient() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'pending' OR NEW.rejection_reason IS NOT NULL
           OR NEW.acknowledged_flags <> '{}' OR num_nonnulls(NEW.acknowledged_by, NEW.acknowledged_at) > 0 THEN
            RAISE EXCEPTION 'a plan line starts pending: the coordinator decides it' USING ERRCODE = 'PD005';
        END IF;
    ELSIF (NEW.plan_id, NEW.program_id, NEW.fiscal_year, NEW.agency_id, NEW.line_no, NEW.nik, NEW.kk, NEW.person_id,
           NEW.household_id, NEW.name_matches)
          IS DISTINCT FROM (OLD.plan_id, OLD.program_id, OLD.fiscal_year, OLD.agency_id, OLD.line_no, OLD.nik, OLD.kk,
                            OLD.person_id, OLD.household_id, OLD.name_matches) THEN
        RAISE EXCEPTION 'a plan line keeps its plan and recipient' USING ERRCODE = 'PD005';
    END IF;
    RETURN NEW;
END
$$;

-- A draft's lines change freely but are never acknowledged; a submitted plan's lines change only
-- by the decision: status, rejection reason, acknowledgement, and flags that only grow.
CREATE OR REPLACE FUNCTION padu.plan_lines_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    plan_status text;
    kept padu.plan_lines;
BEGIN
    SELECT status INTO plan_status FROM padu.distribution_plans
     WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.plan_id ELSE NEW.plan_id END;
    IF TG_OP = 'UPDATE' AND plan_status = 'submitted' THEN
        IF NOT (NEW.flags @> OLD.flags) THEN
            RAISE EXCEPTION 'a submitted line''s flags only grow' USING ERRCODE = 'PD005', TABLE = 'plan_lines';
        END IF;
        kept := NEW;
        kept.status := OLD.status;
        kept.rejection_reason := OLD.rejection_reason;
        kept.flags := OLD.flags;
        kept.acknowledged_flags := OLD.acknowledged_flags;
        kept.acknowledged_by := OLD.acknowledged_by;
        kept.acknowledged_at := OLD.acknowledged_at;
        IF kept IS DISTINCT FROM OLD THEN
            RAISE EXCEPTION 'a line of a submitted plan changes only by its decision (status, rejection_reason, acknowledgement)'
                USING ERRCODE = 'PD005', TABLE = 'plan_lines';
        END IF;
        RETURN NEW;
    END IF;
    IF plan_status IS DISTINCT FROM 'draft' THEN
        RAISE EXCEPTION 'the recipients of a % plan cannot change', plan_status USING ERRCODE = 'PD005';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.acknowledged_flags, NEW.acknowledged_by, NEW.acknowledged_at)
                            IS DISTINCT FROM (OLD.acknowledged_flags, OLD.acknowledged_by, OLD.acknowledged_at) THEN
        RAISE EXCEPTION 'only the coordinator''s decision acknowledges a line''s flags' USING ERRCODE = 'PD005';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

-- Whatever the decision changes (status, reason, flags, acknowledgement), only the coordinator
-- of the plan's cluster changes it. Once per statement and plan.
CREATE OR REPLACE FUNCTION padu.plan_lines_decided_by_coordinator() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF EXISTS (
        SELECT 1
          FROM (SELECT DISTINCT plan_id
                  FROM (SELECT id, plan_id, status, rejection_reason, flags, acknowledged_flags, acknowledged_by,
                               acknowledged_at FROM new_rows
                        EXCEPT SELECT id, plan_id, status, rejection_reason, flags, acknowledged_flags, acknowledged_by,
                               acknowledged_at FROM old_rows) changed) plans
         WHERE NOT padu.decidable_plan(plan_id)) THEN
        RAISE EXCEPTION 'only the coordinator of the programme''s cluster decides a plan line' USING ERRCODE = 'PD005';
    END IF;
    RETURN NULL;
END
$$;

-- The rule: an approved line has every flag acknowledged. Once per statement.
CREATE FUNCTION padu.plan_lines_approved_acknowledged() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    unacknowledged text;
BEGIN
    SELECT string_agg(format('line %s: %s', line_no,
                             array_to_string(ARRAY(SELECT unnest(padu.flags_to_acknowledge(flags))
                                                   EXCEPT SELECT unnest(acknowledged_flags)), ',')), '; '
                      ORDER BY line_no)
      INTO unacknowledged
      FROM new_rows
     WHERE status = 'approved' AND NOT (padu.flags_to_acknowledge(flags) <@ acknowledged_flags);
    IF unacknowledged IS NOT NULL THEN
        RAISE EXCEPTION 'a flagged line is approved only when its flags are acknowledged'
            USING ERRCODE = 'PD036', TABLE = 'plan_lines', COLUMN = 'acknowledged_flags', DETAIL = unacknowledged;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER plan_lines_approved_acknowledged AFTER UPDATE ON padu.plan_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.plan_lines_approved_acknowledged();

DROP FUNCTION padu.check_recipients(bigint, int, text[], text[], text[]);

-- One row per input recipient, in one set-based pass. Other aid and other plans: one array
-- element per other programme or plan line, the arrays in step.
CREATE FUNCTION padu.check_recipients(p_program_id bigint, p_fiscal_year int, p_ids text[], p_kinds text[],
                                      p_names text[] DEFAULT NULL)
RETURNS TABLE (
    pos int, person_id bigint, household_id bigint, district_known boolean, in_registry boolean, decile smallint,
    registry_as_of date, aid_agencies text[], aid_programs text[], aid_kinds text[], aid_categories text[],
    aid_deliveries bigint[], aid_last_on text[], possible_duplicate boolean, name_matches boolean,
    plan_agencies text[], plan_programs text[], plan_categories text[], plan_statuses text[], plan_periods text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu SET jit = off AS $$
DECLARE
    v_agency bigint;
    v_year smallint := p_fiscal_year::smallint;
BEGIN
    IF NOT padu.may_check(p_program_id) THEN
        RAISE EXCEPTION 'no such programme' USING ERRCODE = 'PD404';
    END IF;
    -- Which categories are "the same aid" is PaduCore's rule (CheckFlag.Facts): the check
    -- returns the categories of the other aid and plans, and decides no flag itself.
    SELECT agency_id INTO v_agency FROM padu.programs WHERE id = p_program_id;
    RETURN QUERY
    WITH resolved AS (
        SELECT r.pos, i.id, i.kind, r.person_id, r.household_id
          FROM padu.resolve_recipients(p_ids, p_kinds) r
          JOIN unnest(p_ids, p_kinds) WITH ORDINALITY AS i(id, kind, n) ON i.n = r.pos
    ), aid AS (
        -- Deliveries this year by other programmes to the recipient or its household. A delivery
        -- to a person records the person's household, so aid to any member is found by household.
        SELECT r.pos, x.program_id, count(DISTINCT x.id) AS deliveries, max(x.delivered_on) AS last_on
          FROM resolved r
          CROSS JOIN LATERAL (
            SELECT d.id, d.program_id, d.delivered_on FROM padu.deliveries d
             WHERE r.kind = 'nik' AND d.nik = r.id AND d.fiscal_year = p_fiscal_year
            UNION ALL
            SELECT d.id, d.program_id, d.delivered_on FROM padu.deliveries d
             WHERE r.kind = 'kk' AND d.kk = r.id AND d.fiscal_year = p_fiscal_year
            UNION ALL
            SELECT d.id, d.program_id, d.delivered_on FROM padu.deliveries d
             WHERE d.household_id = r.household_id AND d.fiscal_year = p_fiscal_year
          ) x
         WHERE x.program_id <> p_program_id
         GROUP BY r.pos, x.program_id
    ), aid_lists AS (
        -- One sort feeds every array in step (an ORDER BY in each aggregate sorted each group
        -- once per array).
        SELECT a.pos, array_agg(a.agency) AS agencies, array_agg(a.program) AS programs, array_agg(a.kind) AS kinds,
               array_agg(a.category) AS categories, array_agg(a.deliveries) AS deliveries,
               array_agg(a.last_on) AS last_on
          FROM (SELECT a.pos, coalesce(g.short_name, g.name) AS agency, p.name AS program, p.aid_kind AS kind,
                       p.aid_category AS category, a.deliveries, a.last_on::text AS last_on
                  FROM aid a JOIN padu.programs p ON p.id = a.program_id JOIN padu.agencies g ON g.id = p.agency_id
                 ORDER BY a.pos, a.last_on DESC, p.name, p.id) a
         GROUP BY a.pos
    ), planned AS (
        -- Other agencies' lines this year naming the recipient's household (a line by NIK records
        -- the person's household, as a delivery does), the person when the registry knows no
        -- household for them, or, for a number the registry does not hold, the same number. At
        -- most one branch applies to a recipient, so a line comes once.
        SELECT r.pos, l.id, l.plan_id, l.program_id, l.status
          FROM resolved r
          CROSS JOIN LATERAL (
            SELECT l.id, l.plan_id, l.program_id, l.status, l.agency_id FROM padu.plan_lines l
             WHERE r.household_id IS NOT NULL AND l.household_id = r.household_id AND l.fiscal_year = v_year
            UNION ALL
            SELECT l.id, l.plan_id, l.program_id, l.status, l.agency_id FROM padu.plan_lines l
             WHERE r.household_id IS NULL AND r.person_id IS NOT NULL AND l.person_id = r.person_id
               AND l.fiscal_year = v_year
            UNION ALL
            SELECT l.id, l.plan_id, l.program_id, l.status, l.agency_id FROM padu.plan_lines l
             WHERE r.kind = 'nik' AND r.person_id IS NULL AND l.nik = r.id AND l.person_id IS NULL
               AND l.fiscal_year = v_year
            UNION ALL
            SELECT l.id, l.plan_id, l.program_id, l.status, l.agency_id FROM padu.plan_lines l
             WHERE r.kind = 'kk' AND r.household_id IS NULL AND l.kk = r.id AND l.household_id IS NULL
               AND l.fiscal_year = v_year
          ) l
         WHERE l.agency_id <> v_agency AND l.status IN ('pending', 'approved')
    ), plan_lists AS (
        -- A pending line of a submitted plan is "submitted"; an approved line of an approved plan
        -- "approved". Drafts, and lines or plans rejected, are not shown.
        SELECT x.pos, array_agg(x.agency) AS agencies, array_agg(x.program) AS programs,
               array_agg(x.category) AS categories, array_agg(x.status) AS statuses, array_agg(x.period) AS periods
          FROM (SELECT x.pos, coalesce(g.short_name, g.name) AS agency, p.name AS program, p.aid_category AS category,
                       d.status, d.period
                  FROM planned x
                  JOIN padu.distribution_plans d ON d.id = x.plan_id
                   AND ((d.status = 'submitted' AND x.status = 'pending') OR (d.status = 'approved' AND x.status = 'approved'))
                  JOIN padu.programs p ON p.id = x.program_id
                  JOIN padu.agencies g ON g.id = p.agency_id
                 ORDER BY x.pos, d.period, g.name, p.name, x.id) x
         GROUP BY x.pos
    )
    SELECT r.pos, r.person_id, r.household_id,
           EXISTS (SELECT 1 FROM padu.regions g WHERE g.code = padu.district_of(r.id) AND g.level = 3),
           -- Scalar lookups: one index probe per recipient, whatever the planner guesses for the
           -- function's rows (a join read all households).
           (SELECT hh.decile FROM padu.households hh WHERE hh.id = r.household_id) IS NOT NULL,
           (SELECT hh.decile FROM padu.households hh WHERE hh.id = r.household_id),
           (SELECT hh.registry_as_of FROM padu.households hh WHERE hh.id = r.household_id),
           j.agencies, j.programs, j.kinds, j.categories, j.deliveries, j.last_on,
           r.person_id IS NOT NULL AND (
               EXISTS (SELECT 1 FROM padu.possible_duplicates x WHERE x.person_a = r.person_id AND x.status <> 'different')
               OR EXISTS (SELECT 1 FROM padu.possible_duplicates x WHERE x.person_b = r.person_id AND x.status <> 'different')),
           -- The name the agency has against the registry's: a person's own, or any current
           -- member's for a household. Only the answer leaves; the registry's name never does.
           CASE WHEN p_names IS NULL OR nullif(btrim(p_names[r.pos]), '') IS NULL THEN NULL
                WHEN r.kind = 'nik' THEN
                    (SELECT padu.names_match(p.name, p_names[r.pos]) FROM padu.persons p WHERE p.id = r.person_id)
                ELSE (SELECT bool_or(padu.names_match(p.name, p_names[r.pos]))
                        FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
                       WHERE m.household_id = r.household_id AND m.valid_to IS NULL) END,
           q.agencies, q.programs, q.categories, q.statuses, q.periods
      FROM resolved r
      LEFT JOIN aid_lists j ON j.pos = r.pos
      LEFT JOIN plan_lists q ON q.pos = r.pos
     ORDER BY r.pos;
END
$$;

GRANT EXECUTE ON FUNCTION padu.check_recipients(bigint, int, text[], text[], text[]) TO padu_agency, padu_coordinator;

-- Where each KK line of a plan lives, and whose household it is: for the plan's readers (its
-- agency, the coordinator of its cluster once submitted). The head's name goes to the
-- coordinator (within its scope), and to the agency once the line and plan are approved: before
-- that an agency verifies a household (name_matches) without reading it (0023, 0033).
CREATE FUNCTION padu.plan_line_places(p_plan_id bigint)
RETURNS TABLE (line_no int, village text, head_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu SET jit = off AS $$
DECLARE
    v_plan padu.distribution_plans;
    v_coordinator boolean := padu.decidable_plan(p_plan_id);
BEGIN
    SELECT * INTO v_plan FROM padu.distribution_plans p WHERE p.id = p_plan_id;
    IF v_plan.id IS NULL OR NOT (v_plan.agency_id = padu.current_agency() OR v_coordinator) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT l.line_no, g.name,
           CASE WHEN (v_coordinator AND padu.in_scope(h.region_code, padu.current_scope()))
                     OR (l.status = 'approved' AND v_plan.status = 'approved') THEN
               (SELECT p.name FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
                 WHERE m.household_id = h.id AND m.valid_to IS NULL
                 ORDER BY m.relationship <> 'head', p.id LIMIT 1) END
      FROM padu.plan_lines l
      JOIN padu.households h ON h.id = l.household_id
      LEFT JOIN padu.regions g ON g.code = h.region_code
     WHERE l.plan_id = p_plan_id AND l.kk IS NOT NULL;
END
$$;
GRANT EXECUTE ON FUNCTION padu.plan_line_places(bigint) TO padu_agency, padu_coordinator;
