-- The registry check at Muba's scale (issue 11, "Measure": 10,000 recipients against 200,000
-- households, 1,000,000 deliveries and 100,000 other agencies' plan lines), made faster where
-- EXPLAIN (ANALYZE, BUFFERS) showed the time (scripts/bench-scale, docs/benchmarks.md). Same
-- answers as 0081, row for row; still one set-based statement.
-- - Other plans: the planner joined the recipients' plan-line lookups under a loop over the
--   agencies (11 lookups per recipient, each building a hash of its lines). The lines are now
--   found once per recipient (a materialized step), then named by hash joins with the few
--   plans, programmes and agencies.
-- - Other aid: the deliveries of a household, by NIK or by KK are read from the index alone
--   (program_id, delivered_on and id included: no heap visit per delivery once vacuumed), and
--   a delivery found by NIK or KK is counted there only when the household branch does not
--   find it, so the count needs no DISTINCT (no sort of every delivery by id).
-- - The household's decile and date: one probe instead of three.
-- - work_mem for the check's sorts (they spilled to disk at 10,000 recipients).
SET LOCAL ROLE padu_owner;

-- Same keys and names as 0006's indexes (which they replace): every other reader keeps its index.
CREATE INDEX deliveries_household_year_covering ON padu.deliveries (household_id, fiscal_year)
    INCLUDE (program_id, delivered_on, id) WHERE household_id IS NOT NULL;
CREATE INDEX deliveries_nik_year_covering ON padu.deliveries (nik, fiscal_year)
    INCLUDE (household_id, program_id, delivered_on, id) WHERE nik IS NOT NULL;
CREATE INDEX deliveries_kk_year_covering ON padu.deliveries (kk, fiscal_year)
    INCLUDE (household_id, program_id, delivered_on, id) WHERE kk IS NOT NULL;
DROP INDEX padu.deliveries_household_year;
DROP INDEX padu.deliveries_nik_year;
DROP INDEX padu.deliveries_kk_year;
ALTER INDEX padu.deliveries_household_year_covering RENAME TO deliveries_household_year;
ALTER INDEX padu.deliveries_nik_year_covering RENAME TO deliveries_nik_year;
ALTER INDEX padu.deliveries_kk_year_covering RENAME TO deliveries_kk_year;

CREATE OR REPLACE FUNCTION padu.check_recipients(p_program_id bigint, p_fiscal_year int, p_ids text[], p_kinds text[],
                                      p_names text[] DEFAULT NULL)
RETURNS TABLE (
    pos int, person_id bigint, household_id bigint, district_known boolean, in_registry boolean, decile smallint,
    registry_as_of date, aid_agencies text[], aid_programs text[], aid_kinds text[], aid_categories text[],
    aid_deliveries bigint[], aid_last_on text[], possible_duplicate boolean, name_matches boolean,
    plan_agencies text[], plan_programs text[], plan_categories text[], plan_statuses text[], plan_periods text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu SET jit = off SET work_mem = '64MB' AS $$
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
    WITH resolved AS MATERIALIZED (
        SELECT r.pos, i.id, i.kind, r.person_id, r.household_id
          FROM padu.resolve_recipients(p_ids, p_kinds) r
          JOIN unnest(p_ids, p_kinds) WITH ORDINALITY AS i(id, kind, n) ON i.n = r.pos
    ), aid AS MATERIALIZED (
        -- Deliveries this year by other programmes to the recipient or its household. A delivery
        -- to a person records the person's household, so aid to any member is found by household;
        -- one to the NIK or KK that recorded another household (or none) is found by the number.
        -- Each delivery comes from one branch only.
        SELECT r.pos, x.program_id, count(*) AS deliveries, max(x.delivered_on) AS last_on
          FROM resolved r
          CROSS JOIN LATERAL (
            SELECT d.id, d.program_id, d.delivered_on FROM padu.deliveries d
             WHERE r.kind = 'nik' AND d.nik = r.id AND d.fiscal_year = p_fiscal_year
               AND NOT coalesce(d.household_id = r.household_id, false)
            UNION ALL
            SELECT d.id, d.program_id, d.delivered_on FROM padu.deliveries d
             WHERE r.kind = 'kk' AND d.kk = r.id AND d.fiscal_year = p_fiscal_year
               AND NOT coalesce(d.household_id = r.household_id, false)
            UNION ALL
            SELECT d.id, d.program_id, d.delivered_on FROM padu.deliveries d
             WHERE d.household_id = r.household_id AND d.fiscal_year = p_fiscal_year
          ) x
         WHERE x.program_id <> p_program_id
           AND NOT EXISTS (SELECT 1 FROM padu.delivery_reversals v WHERE v.delivery_id = x.id)
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
    ), planned AS MATERIALIZED (
        -- Other agencies' lines this year naming the recipient's household (a line by NIK records
        -- the person's household, as a delivery does), the person when the registry knows no
        -- household for them, or, for a number the registry does not hold, the same number. At
        -- most one branch applies to a recipient, so a line comes once. Found once per recipient:
        -- the names are joined afterwards.
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
           h.decile IS NOT NULL, h.decile, h.registry_as_of,
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
      -- One index probe per recipient, whatever the planner guesses for the function's rows
      -- (OFFSET 0 keeps it a lookup: as a join it read all households).
      LEFT JOIN LATERAL (SELECT hh.decile, hh.registry_as_of FROM padu.households hh
                          WHERE hh.id = r.household_id OFFSET 0) h ON true
      LEFT JOIN aid_lists j ON j.pos = r.pos
      LEFT JOIN plan_lists q ON q.pos = r.pos
     ORDER BY r.pos;
END
$$;
