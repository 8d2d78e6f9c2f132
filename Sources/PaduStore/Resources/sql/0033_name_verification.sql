-- Verify, don't reveal (issue 10, API v1.1): an agency may send the name it has for a
-- recipient, and the check answers name_matches (true/false, tolerant of spelling, case,
-- punctuation and spacing), never the registry's name, as Dukcapil's verification does. The
-- check stays one set-based statement; with no names sent nothing more is looked up.
SET LOCAL ROLE padu_owner;

-- Letters only, lower case, words separated by one space.
CREATE FUNCTION padu.name_words(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog
RETURN btrim(regexp_replace(lower(name), '[^[:alpha:]]+', ' ', 'g'));

-- The same name when the letters agree whatever the spacing ("Siti Aminah", "SITI  AMINAH",
-- "Siti-Aminah", "SitiAminah"), or when trigram similarity is at least 0.6 ("Muhamad Rizki" and
-- "Muhammad Rizky").
CREATE FUNCTION padu.names_match(registry_name text, given_name text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog
RETURN replace(padu.name_words(registry_name), ' ', '') = replace(padu.name_words(given_name), ' ', '')
    OR extensions.similarity(padu.name_words(registry_name), padu.name_words(given_name)) >= 0.6;
REVOKE EXECUTE ON FUNCTION padu.names_match(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION padu.name_words(text) FROM PUBLIC;

DROP FUNCTION padu.check_recipients(bigint, int, text[], text[]);

-- One row per input recipient, in one set-based pass. Other aid: one array element per other
-- programme, newest first, the arrays in step.
CREATE FUNCTION padu.check_recipients(p_program_id bigint, p_fiscal_year int, p_ids text[], p_kinds text[],
                                      p_names text[] DEFAULT NULL)
RETURNS TABLE (
    pos int, person_id bigint, household_id bigint, district_known boolean, in_registry boolean, decile smallint,
    registry_as_of date, aid_agencies text[], aid_programs text[], aid_kinds text[], aid_deliveries bigint[],
    aid_last_on text[], same_kind boolean, possible_duplicate boolean, name_matches boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu SET jit = off AS $$
DECLARE
    v_kind text;
BEGIN
    IF NOT padu.may_check(p_program_id) THEN
        RAISE EXCEPTION 'no such programme' USING ERRCODE = 'PD404';
    END IF;
    SELECT aid_kind INTO v_kind FROM padu.programs WHERE id = p_program_id;
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
        SELECT a.pos,
               array_agg(coalesce(g.short_name, g.name) ORDER BY a.last_on DESC, p.name, p.id) AS agencies,
               array_agg(p.name ORDER BY a.last_on DESC, p.name, p.id) AS programs,
               array_agg(p.aid_kind ORDER BY a.last_on DESC, p.name, p.id) AS kinds,
               array_agg(a.deliveries ORDER BY a.last_on DESC, p.name, p.id) AS deliveries,
               array_agg(a.last_on::text ORDER BY a.last_on DESC, p.name, p.id) AS last_on,
               bool_or(p.aid_kind = v_kind) AS same_kind
          FROM aid a JOIN padu.programs p ON p.id = a.program_id JOIN padu.agencies g ON g.id = p.agency_id
         GROUP BY a.pos
    )
    SELECT r.pos, r.person_id, r.household_id,
           EXISTS (SELECT 1 FROM padu.regions g WHERE g.code = padu.district_of(r.id) AND g.level = 3),
           h.decile IS NOT NULL, h.decile, h.registry_as_of,
           j.agencies, j.programs, j.kinds, j.deliveries, j.last_on, coalesce(j.same_kind, false),
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
                       WHERE m.household_id = r.household_id AND m.valid_to IS NULL) END
      FROM resolved r
      LEFT JOIN LATERAL (SELECT hh.decile, hh.registry_as_of FROM padu.households hh WHERE hh.id = r.household_id) h ON true
      LEFT JOIN aid_lists j ON j.pos = r.pos
     ORDER BY r.pos;
END
$$;

GRANT EXECUTE ON FUNCTION padu.check_recipients(bigint, int, text[], text[], text[]) TO padu_agency, padu_coordinator;
