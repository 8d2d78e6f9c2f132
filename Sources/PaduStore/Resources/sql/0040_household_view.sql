-- The household view (API v1.1, GET /registry/households/{kk}): the family across agencies,
-- what Klaster 1 ("bantuan sosial terpadu berbasis keluarga") is about. One household by its
-- current KK, its current members, and the aid that reached it or is planned for it: by KK to
-- the household and by NIK to any member, from every agency's deliveries and from submitted
-- or approved plan lines. Programmes, years, statuses and quantities only: no amounts, so no
-- agency ever reads another's money through it.
--
-- Who may look, decided here and not in Swift:
-- - a coordinator (role padu_coordinator whose agency coordinates a cluster): any household in
--   its region scope, as the coordinator_scope policy on padu.households (0008, 0016);
-- - and anyone with the function (an agency, or a coordinator-role account of any agency): the
--   households its own approved lines (of approved plans) or its own deliveries name, as the
--   own_recipients policy on padu.households (0023); for a coordinator that policy also counts
--   the approved lines it can read of its clusters' plans, and so does this rule.
-- padu.may_view_household states that rule once for the view; a store test proves it agrees
-- with what row-level security lets each caller read of padu.households.
-- Every read that answers is audited ('read', 'household', household id): the KK is not
-- written into the audit log, as GET /registry/persons writes the person's id, not the NIK.
SET LOCAL ROLE padu_owner;

CREATE FUNCTION padu.may_view_household(p_household_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT (current_setting('role') = 'padu_coordinator' AND padu.coordinates_a_cluster()
            AND EXISTS (SELECT 1 FROM padu.households h
                         WHERE h.id = p_household_id AND padu.in_scope(h.region_code, padu.current_scope())))
        -- Approved lines the caller may read: its own agency's, and for a coordinator also
        -- those of plans of the clusters it coordinates (the plan_lines policies, 0008).
        OR EXISTS (SELECT 1 FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                    WHERE l.household_id = p_household_id AND l.status = 'approved' AND p.status = 'approved'
                      AND (l.agency_id = padu.current_agency()
                           OR (current_setting('role') = 'padu_coordinator'
                               AND p.program_id IN (SELECT g.id FROM padu.programs g
                                                     WHERE g.cluster_id = ANY (padu.coordinated_clusters())))))
        OR EXISTS (SELECT 1 FROM padu.deliveries d
                    WHERE d.household_id = p_household_id AND d.agency_id = padu.current_agency());
END;
REVOKE EXECUTE ON FUNCTION padu.may_view_household(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION padu.may_view_household(bigint) TO padu_agency, padu_coordinator;

-- The household behind a current KK, if the caller may view it: no row otherwise (the API
-- answers 404 alike for a KK that is unknown and one the caller may not see).
-- `from`/`to` bound the fiscal years of the aid; either may be NULL: `to` then is the latest
-- year with aid for the household and `from` the year before `to` (the last two years with
-- data). One row per programme and fiscal year, at its furthest stage: 'delivered' (quantity
-- delivered, last delivery date) when anything was delivered, else 'approved' (quantity
-- planned on approved lines), else 'submitted' (quantity planned on lines awaiting the
-- coordinator). Drafts and rejected lines are not shown.
CREATE FUNCTION padu.household_view(p_kk text, p_from int DEFAULT NULL, p_to int DEFAULT NULL)
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
REVOKE EXECUTE ON FUNCTION padu.household_view(text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION padu.household_view(text, int, int) TO padu_agency, padu_coordinator;
