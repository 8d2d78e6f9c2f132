-- A reversed delivery (0045) is aid that was not given: the check's other aid (and with it
-- SAME_CATEGORY_RECEIVED) and the household view stop showing it, as the summary, the bounds
-- and the dashboard already do. The functions are those of 0036 and 0040 with that one condition.
SET LOCAL ROLE padu_owner;

CREATE OR REPLACE FUNCTION padu.check_recipients(p_program_id bigint, p_fiscal_year int, p_ids text[], p_kinds text[],
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

CREATE OR REPLACE FUNCTION padu.household_view(p_kk text, p_from int DEFAULT NULL, p_to int DEFAULT NULL)
RETURNS TABLE (household_id bigint, kk text, region_code text, village text, decile smallint, registry_source text,
               registry_as_of date, from_year int, to_year int, members jsonb, aid jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
#variable_conflict use_column
DECLARE
    v_household bigint;
    v_kk text;
    v_members bigint[];
BEGIN
    SELECT k.household_id, k.kk INTO v_household, v_kk
      FROM padu.household_kk k WHERE k.kk::text = p_kk AND k.valid_to IS NULL;
    IF v_household IS NULL OR NOT padu.may_view_household(v_household) THEN
        RETURN;
    END IF;
    PERFORM padu.audit('read', 'household', v_household::text);
    SELECT coalesce(array_agg(m.person_id), '{}') INTO v_members
      FROM padu.household_members m WHERE m.household_id = v_household AND m.valid_to IS NULL;

    RETURN QUERY
    WITH delivered AS (
        -- Deliveries to the household, to its KK, or to any current member (whichever
        -- household the delivery recorded then).
        SELECT d.program_id, d.fiscal_year::int AS fiscal_year, 'delivered'::text AS status,
               sum(d.quantity) AS quantity, max(d.delivered_on) AS last_on
          FROM padu.deliveries d
         WHERE d.id IN (SELECT x.id FROM padu.deliveries x WHERE x.household_id = v_household
                        UNION SELECT x.id FROM padu.deliveries x WHERE x.kk = v_kk
                        UNION SELECT x.id FROM padu.deliveries x WHERE x.person_id = ANY (v_members))
           AND NOT EXISTS (SELECT 1 FROM padu.delivery_reversals v WHERE v.delivery_id = d.id)
         GROUP BY d.program_id, d.fiscal_year
    ), planned AS (
        -- Submitted and approved plan lines naming the household or a current member.
        SELECT l.program_id, l.fiscal_year::int AS fiscal_year,
               CASE WHEN p.status = 'approved' THEN 'approved' ELSE 'submitted' END AS status,
               sum(coalesce(l.planned_quantity, 1)) AS quantity, NULL::date AS last_on
          FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
         WHERE l.id IN (SELECT x.id FROM padu.plan_lines x WHERE x.household_id = v_household
                        UNION SELECT x.id FROM padu.plan_lines x WHERE x.person_id = ANY (v_members))
           AND ((p.status = 'approved' AND l.status = 'approved') OR (p.status = 'submitted' AND l.status = 'pending'))
         GROUP BY l.program_id, l.fiscal_year, p.status
    ), stages AS (
        -- Each programme and year at its furthest stage.
        SELECT DISTINCT ON (a.program_id, a.fiscal_year) a.*
          FROM (SELECT * FROM delivered UNION ALL SELECT * FROM planned) a
         ORDER BY a.program_id, a.fiscal_year, array_position(ARRAY['delivered', 'approved', 'submitted'], a.status)
    ), bounds AS (
        SELECT b.upper_year, coalesce(p_from, b.upper_year - 1) AS lower_year
          FROM (SELECT coalesce(p_to, max(s.fiscal_year) FILTER (WHERE p_from IS NULL OR s.fiscal_year >= p_from))
                           AS upper_year
                  FROM stages s) b
    )
    SELECT h.id, v_kk, h.region_code::text, g.name, h.decile, h.registry_source, h.registry_as_of,
           bn.lower_year, bn.upper_year,
           (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'nik', p.nik::text, 'name', p.name, 'birth_date', p.birth_date::text, 'sex', p.sex,
                        'relationship', m.relationship)
                    ORDER BY array_position(ARRAY['head', 'spouse', 'child', 'child_in_law', 'grandchild', 'parent',
                                                  'parent_in_law', 'other_relative', 'other'], m.relationship),
                             p.birth_date, p.id), '[]'::jsonb)
              FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
             WHERE m.household_id = v_household AND m.valid_to IS NULL),
           (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'agency', coalesce(ag.short_name, ag.name), 'program', pr.name,
                        'aid_category', pr.aid_category, 'fiscal_year', s.fiscal_year, 'status', s.status,
                        'quantity', s.quantity, 'last_delivered_on', s.last_on::text)
                    ORDER BY s.fiscal_year DESC, s.last_on DESC NULLS LAST, coalesce(ag.short_name, ag.name), pr.name),
                    '[]'::jsonb)
              FROM stages s
              JOIN padu.programs pr ON pr.id = s.program_id
              JOIN padu.agencies ag ON ag.id = pr.agency_id
             WHERE s.fiscal_year BETWEEN bn.lower_year AND bn.upper_year)
      FROM padu.households h
      CROSS JOIN bounds bn
      LEFT JOIN padu.regions g ON g.code = h.region_code
     WHERE h.id = v_household;
END
$$;

-- CREATE OR REPLACE resets the function's settings: keep 0042's generic plan.
ALTER FUNCTION padu.household_view(text, int, int) SET plan_cache_mode = force_generic_plan;
