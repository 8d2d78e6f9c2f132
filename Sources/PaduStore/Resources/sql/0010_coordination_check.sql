-- The registry check behind POST /coordination/check and POST /plans, and recipient
-- resolution for deliveries. Both run as owner (an agency cannot read the registry or other
-- agencies' deliveries) and so decide themselves what they reveal: ids, deciles, counts and
-- dates of other aid, never a name, an address or another agency's amounts.
SET LOCAL ROLE padu_owner;

-- Whether the caller may run checks for a programme: its owner, or the coordinator of its cluster.
CREATE FUNCTION padu.may_check(p_program_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT EXISTS (
        SELECT 1 FROM padu.programs p
         WHERE p.id = p_program_id
           AND (p.agency_id = padu.current_agency() OR p.cluster_id = ANY (padu.coordinated_clusters())));
END;

-- Registry persons and households behind identifiers (NIK or KK), by position in the input.
CREATE FUNCTION padu.resolve_recipients(p_ids text[], p_kinds text[])
RETURNS TABLE (pos int, person_id bigint, household_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT i.n::int, p.id, coalesce(k.household_id, m.household_id)
      FROM unnest(p_ids, p_kinds) WITH ORDINALITY AS i(id, kind, n)
      LEFT JOIN padu.persons p ON i.kind = 'nik' AND p.nik = i.id
      LEFT JOIN padu.household_members m ON m.person_id = p.id AND m.valid_to IS NULL
      LEFT JOIN padu.household_kk k ON i.kind = 'kk' AND k.kk = i.id AND k.valid_to IS NULL
     ORDER BY i.n;
END;

-- One row per input recipient, in one set-based pass.
CREATE FUNCTION padu.check_recipients(p_program_id bigint, p_fiscal_year int, p_ids text[], p_kinds text[])
RETURNS TABLE (
    pos int, person_id bigint, household_id bigint, district_known boolean, in_registry boolean, decile smallint,
    registry_as_of date, other_aid jsonb, same_kind boolean, possible_duplicate boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    v_kind text;
BEGIN
    IF NOT padu.may_check(p_program_id) THEN
        RAISE EXCEPTION 'no such programme' USING ERRCODE = 'PD404';
    END IF;
    SELECT aid_kind INTO v_kind FROM padu.programs WHERE id = p_program_id;
    -- Per recipient, LATERAL lookups through the indexes: 1 or 10,000 recipients cost the
    -- same per recipient, whatever the planner would guess for a function's rows.
    RETURN QUERY
    WITH resolved AS (
        SELECT r.pos, i.id, i.kind, r.person_id, r.household_id
          FROM padu.resolve_recipients(p_ids, p_kinds) r
          JOIN unnest(p_ids, p_kinds) WITH ORDINALITY AS i(id, kind, n) ON i.n = r.pos
    ), aid AS (
        -- Deliveries this year by other programmes to the recipient or its household. A delivery
        -- to a person records the person's household, so aid to any member is found by household.
        SELECT r.pos, x.program_id, count(*) AS deliveries, max(x.delivered_on) AS last_on
          FROM resolved r
          CROSS JOIN LATERAL (
            SELECT d.id, d.program_id, d.delivered_on FROM padu.deliveries d
             WHERE r.kind = 'nik' AND d.nik = r.id AND d.fiscal_year = p_fiscal_year
            UNION
            SELECT d.id, d.program_id, d.delivered_on FROM padu.deliveries d
             WHERE r.kind = 'kk' AND d.kk = r.id AND d.fiscal_year = p_fiscal_year
            UNION
            SELECT d.id, d.program_id, d.delivered_on FROM padu.deliveries d
             WHERE d.household_id = r.household_id AND d.fiscal_year = p_fiscal_year
          ) x
         WHERE x.program_id <> p_program_id
         GROUP BY r.pos, x.program_id
    ), aid_json AS (
        SELECT a.pos,
               jsonb_agg(jsonb_build_object(
                   'agency', coalesce(g.short_name, g.name), 'program', p.name, 'aid_kind', p.aid_kind,
                   'deliveries', a.deliveries, 'last_delivered_on', a.last_on) ORDER BY a.last_on DESC, p.name) AS aid,
               bool_or(p.aid_kind = v_kind) AS same_kind
          FROM aid a JOIN padu.programs p ON p.id = a.program_id JOIN padu.agencies g ON g.id = p.agency_id
         GROUP BY a.pos
    )
    SELECT r.pos, r.person_id, r.household_id,
           EXISTS (SELECT 1 FROM padu.regions g WHERE g.code = padu.district_of(r.id) AND g.level = 3),
           h.decile IS NOT NULL, h.decile, h.registry_as_of,
           coalesce(j.aid, '[]'::jsonb), coalesce(j.same_kind, false),
           r.person_id IS NOT NULL AND (
               EXISTS (SELECT 1 FROM padu.possible_duplicates x WHERE x.person_a = r.person_id AND x.status <> 'different')
               OR EXISTS (SELECT 1 FROM padu.possible_duplicates x WHERE x.person_b = r.person_id AND x.status <> 'different'))
      FROM resolved r
      LEFT JOIN LATERAL (SELECT hh.decile, hh.registry_as_of FROM padu.households hh WHERE hh.id = r.household_id) h ON true
      LEFT JOIN aid_json j ON j.pos = r.pos
     ORDER BY r.pos;
END
$$;

GRANT EXECUTE ON FUNCTION padu.may_check(bigint), padu.resolve_recipients(text[], text[]),
    padu.check_recipients(bigint, int, text[], text[]) TO padu_agency, padu_coordinator;
