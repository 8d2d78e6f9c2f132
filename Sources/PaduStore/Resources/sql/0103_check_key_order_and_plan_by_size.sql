-- The registry check at 10,000 recipients, fourth round (issue 11, "Measure"): the same answers as
-- 0094 row for row, still one set-based statement; its probes in key order, and its plan by size.
-- - Probes in key order. Each recipient costs index descents (NIK, membership, household,
--   deliveries, plan lines), and a descent costs about half as much when the one before it
--   touched the neighbouring key: the pages it walks are still in the CPU's caches. 0094 walked
--   the NIK's index in order but the others at random. Measured alone, 10,000 probes in key
--   order against random order, backend CPU: deliveries by household 30 against 60 ms,
--   households 13.5 against 26, current memberships 15 against 29. Now the persons are found in
--   NIK order, their memberships in person order, then the households, their deliveries and the
--   other plans' lines in household order (a sort of 10,000 rows between).
-- - Known districts: each distinct district is looked up once (a 10,000-recipient check names
--   tens of districts); 0094 hashed all 7,285 districts for a large check and, in a generic
--   plan, looked one up per recipient. A 1-recipient check looks up its one district.
-- - The plan by size. A check of up to 100 recipients runs the statement's generic plan,
--   planned once per session and kept: planning the whole statement was most of a small check's
--   cost (about 1.2 ms of 1.5). A larger check gets a plan for its own size, as a fresh session
--   gave it. Under plan_cache_mode = auto the choice depended on the connection's history: after
--   five checks the plan cache compared a generic plan (costed for 10 recipients) with the
--   average of the custom ones, so a pooled connection that had run one large check kept the
--   generic plan for every later check, and one that had not replanned every small check.
-- Measured on the 200,000-household database (1,000,137 deliveries, 609,024 plan lines), backend
-- CPU from /proc/self/schedstat, functions alternating, 2 December 2026, load average 2-3 on the
-- 2-core machine (another PostgreSQL's bulk UPDATE running beside):
-- - 10,000 recipients, 24 calls in 8 psql sessions, each function called at most 4 times a
--   session (so 0094 keeps its custom plan), after a warm-up call: median 320 ms (0094) -> 281 ms
--   (quartiles 310-345 -> 272-289); wall 354 -> 302 ms. The probe order alone: 308 -> 283 ms,
--   the plan by size alone: 313 ms. scripts/bench-check-db BASE=0094 REPEAT=5, three runs: CPU
--   median 280 -> 270, 310 -> 280, 330 -> 300 ms (clock ticks of 10 ms); rows differing: 0.
-- - 1 recipient, 100 calls a session after 5 warm-up calls, median of 12 sessions: 1.64 ms
--   (0094) -> 0.49 ms. (The probe order alone, in a plan made per call: 1.47 -> 1.45 ms.)
SET LOCAL ROLE padu_owner;

CREATE OR REPLACE FUNCTION padu.check_recipients(p_program_id bigint, p_fiscal_year int, p_ids text[], p_kinds text[],
                                      p_names text[] DEFAULT NULL)
RETURNS TABLE (
    pos int, person_id bigint, household_id bigint, district_known boolean, in_registry boolean, decile smallint,
    registry_as_of date, aid_agencies text[], aid_programs text[], aid_kinds text[], aid_categories text[],
    aid_deliveries bigint[], aid_last_on text[], possible_duplicate boolean, name_matches boolean,
    plan_agencies text[], plan_programs text[], plan_categories text[], plan_statuses text[], plan_periods text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu SET jit = off SET work_mem = '64MB' SET plan_cache_mode = auto AS $$
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
    -- Up to 100 recipients, the generic plan (planned once per session: planning cost more than
    -- the probes); beyond, a plan for the size. Restored on return (the function's SET clause).
    PERFORM set_config('plan_cache_mode',
                       CASE WHEN cardinality(p_ids) <= 100 THEN 'force_generic_plan' ELSE 'force_custom_plan' END, true);
    RETURN QUERY
    WITH found AS MATERIALIZED (
        -- padu.resolve_recipients' answer, as joins: the numbers in byte order, so that the
        -- probes of the NIK's and the KK's index walk each from left to right (index-only).
        SELECT i.n::int AS pos, i.id, i.kind, p.id AS person_id, k.household_id AS kk_household_id
          FROM (SELECT * FROM unnest(p_ids, p_kinds) WITH ORDINALITY AS i(id, kind, n) ORDER BY i.id COLLATE "C") i
          LEFT JOIN LATERAL (SELECT p.id FROM padu.persons p WHERE i.kind = 'nik' AND p.nik = i.id OFFSET 0) p ON true
          LEFT JOIN LATERAL (SELECT k.household_id FROM padu.household_kk k
                              WHERE i.kind = 'kk' AND k.kk = i.id AND k.valid_to IS NULL OFFSET 0) k ON true
    ), resolved AS MATERIALIZED (
        -- Then the current membership in person order, and the household's decile and date in
        -- household order; the rows stay in household order for the probes of other aid and
        -- other plans below. (OFFSET 0 keeps each a lookup: as a join it read all households.)
        SELECT f.pos, f.id, f.kind, f.person_id, f.household_id, h.decile, h.registry_as_of,
               padu.district_of(f.id) AS district
          FROM (SELECT f.pos, f.id, f.kind, f.person_id,
                       CASE WHEN f.kind = 'kk' THEN f.kk_household_id ELSE m.household_id END AS household_id
                  FROM (SELECT * FROM found ORDER BY person_id OFFSET 0) f
                  LEFT JOIN LATERAL (SELECT m.household_id FROM padu.household_members m
                                      WHERE m.person_id = f.person_id AND m.valid_to IS NULL OFFSET 0) m ON true
                 ORDER BY household_id OFFSET 0) f
          LEFT JOIN LATERAL (SELECT hh.decile, hh.registry_as_of FROM padu.households hh
                              WHERE hh.id = f.household_id OFFSET 0) h ON true
    ), districts AS MATERIALIZED (
        -- The known districts among the recipients', each looked up once.
        SELECT d.district FROM (SELECT DISTINCT r.district FROM resolved r) d
         WHERE EXISTS (SELECT 1 FROM padu.regions g WHERE g.code = d.district AND g.level = 3)
    ), reversed AS MATERIALIZED (
        -- Read once: as a probe per delivery found, an empty table was scanned 45,000 times.
        SELECT v.delivery_id FROM padu.delivery_reversals v
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
           AND NOT EXISTS (SELECT 1 FROM reversed v WHERE v.delivery_id = x.id)
         GROUP BY r.pos, x.program_id
    ), aid_lists AS (
        -- One sort feeds every array in step.
        SELECT a.pos, array_agg(a.agency) AS agencies, array_agg(a.program) AS programs, array_agg(a.kind) AS kinds,
               array_agg(a.category) AS categories, array_agg(a.deliveries) AS deliveries,
               array_agg(a.last_on) AS last_on
          FROM (SELECT a.pos, coalesce(g.short_name, g.name) AS agency, p.name AS program, p.aid_kind AS kind,
                       p.aid_category AS category, a.deliveries, a.last_on::text AS last_on
                  FROM aid a JOIN padu.programs p ON p.id = a.program_id JOIN padu.agencies g ON g.id = p.agency_id
                 ORDER BY a.pos, a.last_on DESC, p.name, p.id) a
         GROUP BY a.pos
    ), plans AS MATERIALIZED (
        -- Other agencies' submitted and approved plans this year, named once (a few hundred rows),
        -- with the status their lines must have to be shown: a pending line of a submitted plan
        -- is "submitted", an approved line of an approved plan "approved". Drafts, and lines or
        -- plans rejected, are not shown. Joined to the lines by hash, not looked up per line.
        SELECT d.id, d.status, d.period, coalesce(g.short_name, g.name) AS agency, g.name AS agency_name,
               p.name AS program, p.aid_category AS category,
               CASE d.status WHEN 'submitted' THEN 'pending' ELSE 'approved' END AS line_status
          FROM padu.distribution_plans d
          JOIN padu.programs p ON p.id = d.program_id
          JOIN padu.agencies g ON g.id = p.agency_id
         WHERE d.fiscal_year = v_year AND d.status IN ('submitted', 'approved') AND d.agency_id <> v_agency
    ), planned AS MATERIALIZED (
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
        SELECT x.pos, array_agg(x.agency) AS agencies, array_agg(x.program) AS programs,
               array_agg(x.category) AS categories, array_agg(x.status) AS statuses, array_agg(x.period) AS periods
          FROM (SELECT x.pos, d.agency, d.program, d.category, d.status, d.period
                  FROM planned x
                  JOIN plans d ON d.id = x.plan_id AND d.line_status = x.status
                 ORDER BY x.pos, d.period, d.agency_name, d.program, x.id) x
         GROUP BY x.pos
    )
    SELECT r.pos, r.person_id, r.household_id,
           coalesce(r.district IN (SELECT z.district FROM districts z), false),
           r.decile IS NOT NULL, r.decile, r.registry_as_of,
           j.agencies, j.programs, j.kinds, j.categories, j.deliveries, j.last_on,
           -- Hashed once for a large check, probed for a small one (the planner's choice).
           r.person_id IS NOT NULL AND (
               r.person_id IN (SELECT x.person_a FROM padu.possible_duplicates x WHERE x.status <> 'different')
               OR r.person_id IN (SELECT x.person_b FROM padu.possible_duplicates x WHERE x.status <> 'different')),
           -- The name the agency has against the registry's: a person's own, or any current
           -- member's for a household. Only the answer leaves; the registry's name never does.
           CASE WHEN p_names IS NULL OR nullif(btrim(p_names[r.pos]), '') IS NULL THEN NULL
                WHEN r.kind = 'nik' THEN
                    (SELECT padu.names_match(p.name, p_names[r.pos]) FROM padu.persons p WHERE p.id = r.person_id)
                ELSE (SELECT bool_or(padu.names_match(p.name, p_names[r.pos]))
                        FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
                       WHERE m.household_id = r.household_id AND m.valid_to IS NULL) END,
           q.agencies, q.programs, q.categories, q.statuses, q.periods
      -- In input order, merged with the lists (already in that order) rather than hashed.
      FROM (SELECT * FROM resolved ORDER BY pos) r
      LEFT JOIN aid_lists j ON j.pos = r.pos
      LEFT JOIN plan_lists q ON q.pos = r.pos
     ORDER BY r.pos;
END
$$;
