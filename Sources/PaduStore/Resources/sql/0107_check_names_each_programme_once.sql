-- The registry check at 10,000 recipients, fifth round (issue 11, "Measure"): other aid and
-- other plans by programme id, each programme named once. 0103 returned, for every other
-- programme's aid and every other plan's line, its agency, programme name, kind and category as
-- text: at 10,000 recipients about 190,000 strings, built into arrays, sent (7.3 MB in binary),
-- and decoded one by one into new Swift strings. Now the lists carry the programme's id, and the
-- first row (pos 1) carries the legend: each programme named in the answer, once, with its
-- agency, name, kind and category (the same columns as before, so the same names leave). The
-- answers are otherwise row for row 0103's: same recipients, same lists in the same order
-- (scripts/bench-check-db expands the legend to compare).
-- Measured on the 200,000-household database (1,000,137 deliveries, 609,024 plan lines), 10,000
-- recipients, 2 December 2026, load average about 1:
-- - the statement with its answer sent whole in binary (scripts/bench-check-db BASE=0103 SEND=1,
--   alternating, two runs): wall median 284 -> 268 and 275 -> 263 ms, backend CPU 290 -> 270
--   and 270 -> 270 ms (10 ms ticks); the answer 7.3 -> 3.8 MB; rows differing from 0103: 0;
-- - over HTTP, two release servers alternating on copies of the database (the new one with the
--   specialised row decoding of the same change): median 0.438 -> 0.396 s, responses byte for
--   byte the same. Most of the gain is the server's: 190,000 fewer strings decoded.
-- The columns change, so the check gets a new name, padu.check_recipients_by_programme. API
-- instances are rolled out one at a time (docs/deploy.md), and one not yet upgraded still calls
-- padu.check_recipients with 0103's columns: that function now answers from the new one, each
-- list's programme ids written out by the legend, so that one statement decides every answer.
-- A later migration drops it, once no instance older than 0107 can be serving.
SET LOCAL ROLE padu_owner;

CREATE FUNCTION padu.check_recipients_by_programme(p_program_id bigint, p_fiscal_year int, p_ids text[], p_kinds text[],
                                      p_names text[] DEFAULT NULL)
RETURNS TABLE (
    pos int, person_id bigint, household_id bigint, district_known boolean, in_registry boolean, decile smallint,
    registry_as_of date, aid_program_ids bigint[], aid_deliveries bigint[], aid_last_on text[],
    possible_duplicate boolean, name_matches boolean, plan_program_ids bigint[], plan_statuses text[],
    plan_periods text[], legend_program_ids bigint[], legend_agencies text[], legend_programs text[],
    legend_kinds text[], legend_categories text[])
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
        SELECT a.pos, array_agg(a.program_id) AS program_ids, array_agg(a.deliveries) AS deliveries,
               array_agg(a.last_on) AS last_on
          FROM (SELECT a.pos, a.program_id, a.deliveries, a.last_on::text AS last_on
                  FROM aid a JOIN padu.programs p ON p.id = a.program_id
                 ORDER BY a.pos, a.last_on DESC, p.name, p.id) a
         GROUP BY a.pos
    ), plans AS MATERIALIZED (
        -- Other agencies' submitted and approved plans this year, named once (a few hundred rows),
        -- with the status their lines must have to be shown: a pending line of a submitted plan
        -- is "submitted", an approved line of an approved plan "approved". Drafts, and lines or
        -- plans rejected, are not shown. Joined to the lines by hash, not looked up per line.
        SELECT d.id, d.status, d.period, d.program_id, g.name AS agency_name, p.name AS program,
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
    ), shown AS MATERIALIZED (
        -- The lines shown, with their plan's programme, status and period.
        SELECT x.pos, x.id, d.program_id, d.status, d.period, d.agency_name, d.program
          FROM planned x
          JOIN plans d ON d.id = x.plan_id AND d.line_status = x.status
    ), plan_lists AS (
        SELECT x.pos, array_agg(x.program_id) AS program_ids, array_agg(x.status) AS statuses,
               array_agg(x.period) AS periods
          FROM (SELECT x.pos, x.program_id, x.status, x.period
                  FROM shown x
                 ORDER BY x.pos, x.period, x.agency_name, x.program, x.id) x
         GROUP BY x.pos
    ), legend AS (
        -- Each programme named above, once: its agency, name, kind and category.
        SELECT array_agg(p.id ORDER BY p.id) AS program_ids,
               array_agg(coalesce(g.short_name, g.name) ORDER BY p.id) AS agencies,
               array_agg(p.name ORDER BY p.id) AS programs, array_agg(p.aid_kind ORDER BY p.id) AS kinds,
               array_agg(p.aid_category ORDER BY p.id) AS categories
          FROM padu.programs p JOIN padu.agencies g ON g.id = p.agency_id
         WHERE p.id IN (SELECT a.program_id FROM aid a UNION SELECT x.program_id FROM shown x)
    )
    SELECT r.pos, r.person_id, r.household_id,
           coalesce(r.district IN (SELECT z.district FROM districts z), false),
           r.decile IS NOT NULL, r.decile, r.registry_as_of,
           j.program_ids, j.deliveries, j.last_on,
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
           q.program_ids, q.statuses, q.periods,
           n.program_ids, n.agencies, n.programs, n.kinds, n.categories
      -- In input order, merged with the lists (already in that order) rather than hashed.
      FROM (SELECT * FROM resolved ORDER BY pos) r
      LEFT JOIN aid_lists j ON j.pos = r.pos
      LEFT JOIN plan_lists q ON q.pos = r.pos
      LEFT JOIN legend n ON r.pos = 1
     ORDER BY r.pos;
END
$$;

GRANT EXECUTE ON FUNCTION padu.check_recipients_by_programme(bigint, int, text[], text[], text[])
    TO padu_agency, padu_coordinator;

-- 0103's columns, for API instances not yet upgraded: the same answers, read from the check
-- above (which also decides whether the caller may check the programme).
CREATE OR REPLACE FUNCTION padu.check_recipients(p_program_id bigint, p_fiscal_year int, p_ids text[], p_kinds text[],
                                                 p_names text[] DEFAULT NULL)
RETURNS TABLE (
    pos int, person_id bigint, household_id bigint, district_known boolean, in_registry boolean, decile smallint,
    registry_as_of date, aid_agencies text[], aid_programs text[], aid_kinds text[], aid_categories text[],
    aid_deliveries bigint[], aid_last_on text[], possible_duplicate boolean, name_matches boolean,
    plan_agencies text[], plan_programs text[], plan_categories text[], plan_statuses text[], plan_periods text[])
LANGUAGE sql STABLE SET search_path = pg_catalog, padu AS $$
    WITH c AS MATERIALIZED (
        SELECT * FROM padu.check_recipients_by_programme(p_program_id, p_fiscal_year, p_ids, p_kinds, p_names)
    ), legend AS (SELECT * FROM c WHERE c.pos = 1)
    SELECT c.pos, c.person_id, c.household_id, c.district_known, c.in_registry, c.decile, c.registry_as_of,
           a.agencies, a.programs, a.kinds, a.categories, c.aid_deliveries, c.aid_last_on, c.possible_duplicate,
           c.name_matches, p.agencies, p.programs, p.categories, c.plan_statuses, c.plan_periods
      FROM c
      CROSS JOIN LATERAL (
        SELECT array_agg(l.legend_agencies[i] ORDER BY o) AS agencies, array_agg(l.legend_programs[i] ORDER BY o) AS programs,
               array_agg(l.legend_kinds[i] ORDER BY o) AS kinds, array_agg(l.legend_categories[i] ORDER BY o) AS categories
          FROM legend l, unnest(c.aid_program_ids) WITH ORDINALITY u(x, o), array_position(l.legend_program_ids, u.x) i
      ) a
      CROSS JOIN LATERAL (
        SELECT array_agg(l.legend_agencies[i] ORDER BY o) AS agencies, array_agg(l.legend_programs[i] ORDER BY o) AS programs,
               array_agg(l.legend_categories[i] ORDER BY o) AS categories
          FROM legend l, unnest(c.plan_program_ids) WITH ORDINALITY u(x, o), array_position(l.legend_program_ids, u.x) i
      ) p
     ORDER BY c.pos
$$;
