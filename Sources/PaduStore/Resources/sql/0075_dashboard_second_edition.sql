-- The dashboard's second edition and the quarterly meeting pack (/rakor): the facts the summary
-- lacked. Aggregates only, for the summary's readers (executive, admin, coordinator), in the
-- caller's scope; a cell of fewer than 5 households is null.
-- * Which pairs of agencies served the same households in a year, and per agency the deciles of
--   the households it reached: both need each household's set of agencies, too slow to compute
--   per request over a million deliveries, so they are precomputed (per year and village, so
--   any region scope sums villages) by padu.refresh_dashboard(), which runs after every summary
--   rebuild (a trigger on padu.summary_state's as_of), in the rebuild's transaction.
-- * The villages where the poorest households (deciles 1-2) were not reached, per kecamatan or
--   per desa of one kecamatan, with 0021's secondary suppression within each parent region.
-- * Year over year per agency (realised, households reached), reporting completeness for a
--   quarter and the meeting pack's per-programme figures: cheap, read live.
SET LOCAL ROLE padu_owner;

-- Households served by both agencies (agency_a < agency_b), per year and village.
CREATE TABLE padu.dashboard_pairs (
    fiscal_year smallint NOT NULL,
    location text COLLATE "C" NOT NULL,
    agency_a bigint NOT NULL,
    agency_b bigint NOT NULL,
    households bigint NOT NULL,
    PRIMARY KEY (fiscal_year, location, agency_a, agency_b),
    CHECK (agency_a < agency_b)
);

-- Per year, location and agency: recipients reached per decile (households in the registry) and
-- outside the registry (placed at the agency's region, as in the summary).
CREATE TABLE padu.dashboard_agency_deciles (
    fiscal_year smallint NOT NULL,
    location text COLLATE "C" NOT NULL,
    agency_id bigint NOT NULL,
    by_decile bigint[] NOT NULL CHECK (cardinality(by_decile) = 10),
    outside_registry bigint NOT NULL,
    PRIMARY KEY (fiscal_year, location, agency_id)
);

-- Per year and village: distinct decile 1-2 households reached by any agency.
CREATE TABLE padu.dashboard_poorest_reached (
    fiscal_year smallint NOT NULL,
    location text COLLATE "C" NOT NULL,
    households bigint NOT NULL,
    PRIMARY KEY (fiscal_year, location)
);

-- Per village: registry households in deciles 1-2.
CREATE TABLE padu.dashboard_poorest_registry (
    location text COLLATE "C" PRIMARY KEY,
    households bigint NOT NULL
);

CREATE TABLE padu.dashboard_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    as_of timestamptz,
    refresh_ms bigint
);
INSERT INTO padu.dashboard_state (singleton) VALUES (true);

-- Rebuilds the dashboard tables from the deliveries and the registry; returns milliseconds.
-- A delivery reaches its household, or its person's current household (as in the summary).
CREATE FUNCTION padu.refresh_dashboard() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu SET work_mem = '256MB' AS $$
DECLARE
    started timestamptz := clock_timestamp();
    elapsed bigint;
BEGIN
    PERFORM 1 FROM padu.dashboard_state FOR UPDATE;
    DROP TABLE IF EXISTS pg_temp.dashboard_base;
    CREATE TEMP TABLE dashboard_base ON COMMIT DROP AS
    SELECT DISTINCT d.fiscal_year, d.agency_id, h.id AS household_id, h.decile,
           coalesce(h.region_code::text, g.region_code::text) AS location,
           CASE WHEN h.id IS NULL THEN coalesce('n' || d.nik, 'k' || d.kk) END AS outsider
      FROM padu.deliveries d
      JOIN padu.agencies g ON g.id = d.agency_id
      LEFT JOIN padu.household_members m ON d.household_id IS NULL AND m.person_id = d.person_id AND m.valid_to IS NULL
      LEFT JOIN padu.households h ON h.id = coalesce(d.household_id, m.household_id);

    DELETE FROM padu.dashboard_pairs;
    INSERT INTO padu.dashboard_pairs
    SELECT a.fiscal_year, a.location, a.agency_id, b.agency_id, count(*)
      FROM dashboard_base a
      JOIN dashboard_base b ON b.fiscal_year = a.fiscal_year AND b.household_id = a.household_id
                           AND b.agency_id > a.agency_id
     WHERE a.household_id IS NOT NULL
     GROUP BY a.fiscal_year, a.location, a.agency_id, b.agency_id;

    DELETE FROM padu.dashboard_agency_deciles;
    INSERT INTO padu.dashboard_agency_deciles
    SELECT fiscal_year, location, agency_id,
           ARRAY[count(*) FILTER (WHERE decile = 1), count(*) FILTER (WHERE decile = 2),
                 count(*) FILTER (WHERE decile = 3), count(*) FILTER (WHERE decile = 4),
                 count(*) FILTER (WHERE decile = 5), count(*) FILTER (WHERE decile = 6),
                 count(*) FILTER (WHERE decile = 7), count(*) FILTER (WHERE decile = 8),
                 count(*) FILTER (WHERE decile = 9), count(*) FILTER (WHERE decile = 10)],
           count(DISTINCT outsider)
      FROM dashboard_base GROUP BY fiscal_year, location, agency_id;

    DELETE FROM padu.dashboard_poorest_reached;
    INSERT INTO padu.dashboard_poorest_reached
    SELECT fiscal_year, location, count(DISTINCT household_id)
      FROM dashboard_base WHERE decile BETWEEN 1 AND 2 GROUP BY fiscal_year, location;

    DELETE FROM padu.dashboard_poorest_registry;
    INSERT INTO padu.dashboard_poorest_registry
    SELECT region_code, count(*) FROM padu.households WHERE decile BETWEEN 1 AND 2 GROUP BY region_code;

    elapsed := (extract(epoch FROM clock_timestamp() - started) * 1000)::bigint;
    UPDATE padu.dashboard_state SET as_of = started, refresh_ms = elapsed;
    ANALYZE padu.dashboard_pairs, padu.dashboard_agency_deciles, padu.dashboard_poorest_reached,
        padu.dashboard_poorest_registry;
    RETURN elapsed;
END
$$;
REVOKE EXECUTE ON FUNCTION padu.refresh_dashboard() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION padu.refresh_dashboard() TO padu_api, padu_admin;

-- Every summary rebuild sets as_of; the dashboard's tables follow in the same transaction.
CREATE FUNCTION padu.summary_state_refreshes_dashboard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    PERFORM padu.refresh_dashboard();
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION padu.summary_state_refreshes_dashboard() FROM PUBLIC;
CREATE TRIGGER summary_state_refreshes_dashboard AFTER UPDATE OF as_of ON padu.summary_state
    FOR EACH ROW WHEN (NEW.as_of IS DISTINCT FROM OLD.as_of)
    EXECUTE FUNCTION padu.summary_state_refreshes_dashboard();

SELECT padu.refresh_dashboard();

-- A sum of bigints as a bigint that cannot overflow (clamped at the type's range); null stays null.
CREATE FUNCTION padu.clamped_bigint(value numeric) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value IS NOT NULL THEN least(greatest(value, -9223372036854775808), 9223372036854775807)::bigint END;

-- Small cells of one group (an agency's deciles and its recipients outside the registry): 1 to 4
-- become null; when exactly one did, the next-smallest non-zero cell does too, so the group's
-- total never gives one hidden cell back (0021's rule).
CREATE FUNCTION padu.suppressed_cells(p_values bigint[]) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
DECLARE
    result bigint[] := p_values;
    smalls int := 0;
    pick int;
BEGIN
    FOR i IN 1..coalesce(cardinality(p_values), 0) LOOP
        IF p_values[i] BETWEEN 1 AND 4 THEN
            result[i] := NULL;
            smalls := smalls + 1;
        END IF;
    END LOOP;
    IF smalls = 1 THEN
        FOR i IN 1..cardinality(p_values) LOOP
            IF result[i] > 0 AND (pick IS NULL OR result[i] < result[pick]) THEN
                pick := i;
            END IF;
        END LOOP;
        IF pick IS NOT NULL THEN
            result[pick] := NULL;
        END IF;
    END IF;
    RETURN result;
END
$$;

-- Per agency serving the scope: realised and households reached in p_year and the year before.
CREATE FUNCTION padu.dashboard_year_over_year(p_year int)
RETURNS TABLE (agency_id bigint, agency_code text, agency text, realized_idr bigint, realized_previous_idr bigint,
               households_reached bigint, households_previous bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
#variable_conflict use_column
DECLARE
    v_scope text := padu.current_scope();
BEGIN
    IF v_scope IS NULL THEN
        RAISE EXCEPTION 'no scope' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH serving AS (SELECT s.id FROM padu.agencies_serving(v_scope) s),
    realized AS (
        SELECT r.agency_id,
               padu.clamped_bigint(sum(r.amount_idr) FILTER (WHERE r.fiscal_year = p_year)) AS this_year,
               padu.clamped_bigint(sum(r.amount_idr) FILTER (WHERE r.fiscal_year = p_year - 1)) AS last_year
          FROM padu.realizations r
         WHERE r.fiscal_year IN (p_year, p_year - 1) AND r.agency_id IN (SELECT id FROM serving)
         GROUP BY r.agency_id
    ), reach AS (
        SELECT s.agency_id,
               padu.clamped_bigint(sum(s.households) FILTER (WHERE s.fiscal_year = p_year)) AS this_year,
               padu.clamped_bigint(sum(s.households) FILTER (WHERE s.fiscal_year = p_year - 1)) AS last_year
          FROM padu.summary_agency s
         WHERE s.fiscal_year IN (p_year, p_year - 1) AND padu.in_scope(s.location, v_scope)
         GROUP BY s.agency_id
    )
    SELECT a.id, a.code, a.name, coalesce(r.this_year, 0), coalesce(r.last_year, 0),
           coalesce(x.this_year, 0), coalesce(x.last_year, 0)
      FROM padu.agencies a
      LEFT JOIN realized r ON r.agency_id = a.id
      LEFT JOIN reach x ON x.agency_id = a.id
     WHERE a.id IN (SELECT id FROM serving) OR x.agency_id IS NOT NULL
     ORDER BY a.code;
END
$$;

-- Pairs of agencies that served the same households in p_year within the scope, most shared
-- first. Fewer than 5 shared households: null.
CREATE FUNCTION padu.dashboard_agency_pairs(p_year int)
RETURNS TABLE (agency_a_code text, agency_a text, agency_b_code text, agency_b text, households bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
#variable_conflict use_column
DECLARE
    v_scope text := padu.current_scope();
BEGIN
    IF v_scope IS NULL THEN
        RAISE EXCEPTION 'no scope' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH shared AS (
        SELECT p.agency_a, p.agency_b, sum(p.households) AS households
          FROM padu.dashboard_pairs p
         WHERE p.fiscal_year = p_year AND padu.in_scope(p.location, v_scope)
         GROUP BY p.agency_a, p.agency_b
    )
    SELECT a.code, a.name, b.code, b.name, CASE WHEN s.households >= 5 THEN padu.clamped_bigint(s.households) END
      FROM shared s JOIN padu.agencies a ON a.id = s.agency_a JOIN padu.agencies b ON b.id = s.agency_b
     ORDER BY s.households < 5, s.households DESC, a.code, b.code;
END
$$;

-- Households in deciles 1-2 of the registry not reached in p_year, per kecamatan of the scope
-- (p_district null) or per desa of one kecamatan, most not reached first. A cell under 5 is
-- null, and so is the not-reached count when the reached count it would reveal is 1 to 4; when
-- one cell of a measure is null among its siblings, the next-smallest is null too (0021).
CREATE FUNCTION padu.dashboard_poorest_not_reached(p_year int, p_district text)
RETURNS TABLE (region_code text, region text, registry_households bigint, not_reached bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
#variable_conflict use_column
DECLARE
    v_scope text := padu.current_scope();
    v_level int := CASE WHEN p_district IS NULL THEN 3 ELSE 4 END;
BEGIN
    IF v_scope IS NULL THEN
        RAISE EXCEPTION 'no scope' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH regions AS (
        SELECT g.code::text AS code, g.name, g.parent_code::text AS parent FROM padu.regions g
         WHERE g.level = v_level AND padu.in_scope(g.code, v_scope)
           AND (p_district IS NULL OR g.parent_code = p_district)
    ), registry AS (
        SELECT substr(r.location, 1, CASE v_level WHEN 3 THEN 8 ELSE 13 END) AS code, sum(r.households) AS households
          FROM padu.dashboard_poorest_registry r
         WHERE padu.in_scope(r.location, v_scope) AND (p_district IS NULL OR padu.in_scope(r.location, p_district))
         GROUP BY 1
    ), reached AS (
        SELECT substr(r.location, 1, CASE v_level WHEN 3 THEN 8 ELSE 13 END) AS code, sum(r.households) AS households
          FROM padu.dashboard_poorest_reached r
         WHERE r.fiscal_year = p_year AND padu.in_scope(r.location, v_scope)
           AND (p_district IS NULL OR padu.in_scope(r.location, p_district))
         GROUP BY 1
    ), cells AS (
        SELECT r.code, r.parent, coalesce(g.households, 0) AS registry,
               greatest(coalesce(g.households, 0) - coalesce(x.households, 0), 0) AS not_reached,
               coalesce(x.households, 0) AS reached
          FROM regions r LEFT JOIN registry g ON g.code = r.code LEFT JOIN reached x ON x.code = r.code
    ), measures AS (
        SELECT c.code, c.parent, m.measure, m.v, m.small
          FROM cells c
         CROSS JOIN LATERAL (VALUES ('registry', c.registry, c.registry < 5),
                                    ('not_reached', c.not_reached,
                                     c.not_reached < 5 OR c.reached BETWEEN 1 AND 4)) AS m(measure, v, small)
    ), counted AS (
        SELECT m.*, count(*) FILTER (WHERE m.small) OVER (PARTITION BY m.parent, m.measure) AS smalls,
               row_number() OVER (PARTITION BY m.parent, m.measure, m.small ORDER BY m.v, m.code) AS nth
          FROM measures m
    ), shown AS (
        SELECT c.code,
               max(c.v) FILTER (WHERE c.measure = 'registry' AND NOT (c.small OR (c.smalls = 1 AND c.nth = 1)))
                   AS registry,
               max(c.v) FILTER (WHERE c.measure = 'not_reached' AND NOT (c.small OR (c.smalls = 1 AND c.nth = 1)))
                   AS not_reached
          FROM counted c GROUP BY c.code
    )
    SELECT r.code, r.name, padu.clamped_bigint(s.registry), padu.clamped_bigint(s.not_reached)
      FROM regions r JOIN shown s ON s.code = r.code
     ORDER BY s.not_reached DESC NULLS LAST, r.code;
END
$$;

-- Reporting completeness of a quarter: each agency serving the scope that has programmes, its
-- programmes, how many have a submitted report for the quarter, how many a draft.
CREATE FUNCTION padu.dashboard_reporting(p_period text)
RETURNS TABLE (agency_id bigint, agency_code text, agency text, programmes bigint, submitted bigint, drafts bigint,
               last_submitted_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
#variable_conflict use_column
DECLARE
    v_scope text := padu.current_scope();
BEGIN
    IF v_scope IS NULL THEN
        RAISE EXCEPTION 'no scope' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT a.id, a.code, a.name, count(p.id), count(r.program_id) FILTER (WHERE r.status = 'submitted'),
           count(r.program_id) FILTER (WHERE r.status = 'draft'), max(r.submitted_at)
      FROM padu.agencies a
      JOIN padu.programs p ON p.agency_id = a.id
      LEFT JOIN padu.progress_reports r ON r.program_id = p.id AND r.period = p_period
     WHERE a.id IN (SELECT s.id FROM padu.agencies_serving(v_scope) s)
     GROUP BY a.id, a.code, a.name
     ORDER BY a.code;
END
$$;

-- The meeting pack of a quarter, as JSON: per agency serving the scope, its budget and realised
-- to the quarter's end, reach and deciles in the year, and per programme its budget, realised
-- and outputs to the quarter's end and its report of the quarter (narrative included).
CREATE FUNCTION padu.rakor(p_period text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
#variable_conflict use_column
DECLARE
    v_scope text := padu.current_scope();
    v_year int := substr(p_period, 1, 4)::int;
    v_last_month int := substr(p_period, 7, 1)::int * 3;
    result jsonb;
BEGIN
    IF v_scope IS NULL THEN
        RAISE EXCEPTION 'no scope' USING ERRCODE = '42501';
    END IF;
    IF p_period !~ '^[0-9]{4}-Q[1-4]$' THEN
        RAISE EXCEPTION 'bad period %', p_period USING ERRCODE = '22023';
    END IF;
    WITH serving AS (SELECT s.id FROM padu.agencies_serving(v_scope) s),
    programmes AS (
        SELECT p.id, p.agency_id, p.code, p.name, p.unit, p.cluster_id,
               (SELECT padu.clamped_bigint(sum(b.allocated_idr)) FROM padu.budget_allocations b
                 WHERE b.program_id = p.id AND b.fiscal_year = v_year) AS allocated,
               (SELECT padu.clamped_bigint(sum(r.amount_idr)) FROM padu.realizations r
                 WHERE r.program_id = p.id AND r.fiscal_year = v_year AND r.month <= v_last_month) AS realized,
               (SELECT padu.clamped_bigint(sum(r.output_quantity)) FROM padu.realizations r
                 WHERE r.program_id = p.id AND r.fiscal_year = v_year AND r.month <= v_last_month) AS outputs,
               rep.status, rep.target_quantity, rep.achieved_quantity, rep.narrative, rep.submitted_at
          FROM padu.programs p
          LEFT JOIN padu.progress_reports rep ON rep.program_id = p.id AND rep.period = p_period
         WHERE p.agency_id IN (SELECT id FROM serving)
    ), reach AS (
        SELECT s.agency_id, padu.clamped_bigint(sum(s.households)) AS households,
               padu.clamped_bigint(sum(s.persons)) AS persons, padu.clamped_bigint(sum(s.deliveries)) AS deliveries
          FROM padu.summary_agency s
         WHERE s.fiscal_year = v_year AND padu.in_scope(s.location, v_scope)
         GROUP BY s.agency_id
    ), decile_cells AS (
        SELECT d.agency_id, u.i, sum(u.v) AS total
          FROM padu.dashboard_agency_deciles d
         CROSS JOIN LATERAL unnest(d.by_decile || d.outside_registry) WITH ORDINALITY AS u(v, i)
         WHERE d.fiscal_year = v_year AND padu.in_scope(d.location, v_scope)
         GROUP BY d.agency_id, u.i
    ), deciles AS (
        -- Deciles 1-10, then recipients outside the registry.
        SELECT c.agency_id, array_agg(padu.clamped_bigint(c.total) ORDER BY c.i) AS cells
          FROM decile_cells c GROUP BY c.agency_id
    ), agencies AS (
        SELECT a.id, a.code, a.name,
               coalesce((SELECT padu.clamped_bigint(sum(p.allocated)) FROM programmes p WHERE p.agency_id = a.id), 0)
                   AS allocated,
               coalesce((SELECT padu.clamped_bigint(sum(p.realized)) FROM programmes p WHERE p.agency_id = a.id), 0)
                   AS realized
          FROM padu.agencies a
         WHERE a.id IN (SELECT id FROM serving) AND EXISTS (SELECT 1 FROM programmes p WHERE p.agency_id = a.id)
    )
    SELECT jsonb_build_object(
        'period', p_period, 'year', v_year, 'scope', v_scope,
        'scope_name', (SELECT name FROM padu.regions WHERE code = v_scope),
        'as_of', (SELECT to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM padu.dashboard_state),
        'agencies', coalesce((SELECT jsonb_agg(jsonb_build_object(
            'agency_id', a.id, 'agency_code', a.code, 'agency', a.name,
            'allocated_idr', a.allocated, 'realized_idr', a.realized,
            'households_reached', coalesce(x.households, 0), 'persons_reached', coalesce(x.persons, 0),
            'deliveries', coalesce(x.deliveries, 0),
            'by_decile', to_jsonb(d.shown[1:10]), 'outside_registry', d.shown[11],
            'programmes', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                'program_code', p.code, 'program', p.name, 'unit', p.unit, 'cluster_id', p.cluster_id,
                'allocated_idr', coalesce(p.allocated, 0), 'realized_idr', coalesce(p.realized, 0),
                'output_quantity', coalesce(p.outputs, 0),
                'report_status', p.status, 'target_quantity', p.target_quantity,
                'achieved_quantity', p.achieved_quantity, 'narrative', p.narrative,
                'submitted_at', to_char(p.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
                ORDER BY p.code), '[]') FROM programmes p WHERE p.agency_id = a.id))
            ORDER BY a.code)
            FROM agencies a LEFT JOIN reach x ON x.agency_id = a.id
            CROSS JOIN LATERAL (SELECT padu.suppressed_cells(
                coalesce(dd.cells, '{0,0,0,0,0,0,0,0,0,0,0}'::bigint[])) AS shown
                FROM (SELECT 1) one LEFT JOIN deciles dd ON dd.agency_id = a.id) d), '[]'))
    INTO result;
    RETURN result;
END
$$;

REVOKE EXECUTE ON FUNCTION padu.dashboard_year_over_year(int), padu.dashboard_agency_pairs(int),
    padu.dashboard_poorest_not_reached(int, text), padu.dashboard_reporting(text), padu.rakor(text),
    padu.clamped_bigint(numeric), padu.suppressed_cells(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION padu.dashboard_year_over_year(int), padu.dashboard_agency_pairs(int),
    padu.dashboard_poorest_not_reached(int, text), padu.dashboard_reporting(text), padu.rakor(text)
    TO padu_executive, padu_admin, padu_coordinator;
GRANT SELECT ON padu.dashboard_state TO padu_executive, padu_admin, padu_coordinator;
