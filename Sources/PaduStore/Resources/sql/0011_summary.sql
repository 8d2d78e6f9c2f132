-- What the regent's office sees, precomputed. Distinct counts (households, persons reached)
-- are additive across villages, since a household lives in one village: so they are kept per
-- year, location and agency/cluster, and any region scope sums the villages below it.
-- A recipient outside the registry has no village; it is placed at its agency's region.
-- padu.refresh_summary() rebuilds the tables in one transaction (readers keep the old rows
-- until it commits); the API calls padu.refresh_summary_if_changed() periodically.
SET LOCAL ROLE padu_owner;

CREATE TABLE padu.summary_agency (
    fiscal_year smallint NOT NULL,
    location text COLLATE "C" NOT NULL,
    agency_id bigint NOT NULL,
    deliveries bigint NOT NULL,
    value_idr bigint NOT NULL,
    households bigint NOT NULL,
    persons bigint NOT NULL,
    PRIMARY KEY (fiscal_year, location, agency_id)
);

CREATE TABLE padu.summary_cluster (
    fiscal_year smallint NOT NULL,
    location text COLLATE "C" NOT NULL,
    cluster_id smallint NOT NULL,
    deliveries bigint NOT NULL,
    value_idr bigint NOT NULL,
    households bigint NOT NULL,
    persons bigint NOT NULL,
    PRIMARY KEY (fiscal_year, location, cluster_id)
);

CREATE TABLE padu.summary_location (
    fiscal_year smallint NOT NULL,
    location text COLLATE "C" NOT NULL,
    deliveries bigint NOT NULL,
    value_idr bigint NOT NULL,
    households bigint NOT NULL,
    persons bigint NOT NULL,
    recipients bigint NOT NULL,
    in_registry bigint NOT NULL,
    decile_1_4 bigint NOT NULL,
    by_decile bigint[] NOT NULL,
    overlap bigint[] NOT NULL,  -- households reached by 1, 2, 3, 4+ programmes
    decile_1_reached bigint NOT NULL,
    PRIMARY KEY (fiscal_year, location)
);

CREATE TABLE padu.summary_registry (
    location text COLLATE "C" PRIMARY KEY,
    households bigint NOT NULL,
    decile_1 bigint NOT NULL,
    decile_1_4 bigint NOT NULL
);

CREATE TABLE padu.summary_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    as_of timestamptz,
    signature text,
    refresh_ms bigint
);
INSERT INTO padu.summary_state (singleton) VALUES (true);

-- Rebuilds every summary table; returns the time it took in milliseconds.
CREATE FUNCTION padu.refresh_summary() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu SET work_mem = '256MB' AS $$
DECLARE
    started timestamptz := clock_timestamp();
    elapsed bigint;
BEGIN
    -- One refresher at a time; a second caller waits and then finds the work done.
    PERFORM pg_advisory_xact_lock(hashtext('padu.refresh_summary'));
    CREATE TEMP TABLE summary_base ON COMMIT DROP AS
    SELECT d.fiscal_year, d.program_id, p.agency_id, p.cluster_id,
           coalesce(h.region_code::text, g.region_code::text) AS location,
           h.id AS household_id, h.decile,
           coalesce('h' || h.id, 'n' || d.nik, 'k' || d.kk) AS recipient,
           CASE WHEN d.person_id IS NOT NULL THEN 'p' || d.person_id WHEN d.nik IS NOT NULL THEN 'n' || d.nik END AS person,
           d.value_idr
      FROM padu.deliveries d
      JOIN padu.programs p ON p.id = d.program_id
      JOIN padu.agencies g ON g.id = p.agency_id
      LEFT JOIN padu.household_members m ON d.household_id IS NULL AND m.person_id = d.person_id AND m.valid_to IS NULL
      LEFT JOIN padu.households h ON h.id = coalesce(d.household_id, m.household_id);

    DELETE FROM padu.summary_agency;
    INSERT INTO padu.summary_agency
    SELECT fiscal_year, location, agency_id, count(*), sum(value_idr), count(DISTINCT household_id), count(DISTINCT person)
      FROM summary_base GROUP BY fiscal_year, location, agency_id;

    DELETE FROM padu.summary_cluster;
    INSERT INTO padu.summary_cluster
    SELECT fiscal_year, location, cluster_id, count(*), sum(value_idr), count(DISTINCT household_id), count(DISTINCT person)
      FROM summary_base GROUP BY fiscal_year, location, cluster_id;

    DELETE FROM padu.summary_location;
    INSERT INTO padu.summary_location
    WITH per_recipient AS (
        SELECT fiscal_year, location, recipient, household_id, max(decile) AS decile,
               count(DISTINCT program_id) AS programmes
          FROM summary_base GROUP BY fiscal_year, location, recipient, household_id
    ), recipients AS (
        SELECT fiscal_year, location, count(*) AS recipients,
               count(*) FILTER (WHERE decile IS NOT NULL) AS in_registry,
               count(*) FILTER (WHERE decile BETWEEN 1 AND 4) AS decile_1_4,
               ARRAY[count(*) FILTER (WHERE decile = 1), count(*) FILTER (WHERE decile = 2),
                     count(*) FILTER (WHERE decile = 3), count(*) FILTER (WHERE decile = 4),
                     count(*) FILTER (WHERE decile = 5), count(*) FILTER (WHERE decile = 6),
                     count(*) FILTER (WHERE decile = 7), count(*) FILTER (WHERE decile = 8),
                     count(*) FILTER (WHERE decile = 9), count(*) FILTER (WHERE decile = 10)] AS by_decile,
               ARRAY[count(*) FILTER (WHERE household_id IS NOT NULL AND programmes = 1),
                     count(*) FILTER (WHERE household_id IS NOT NULL AND programmes = 2),
                     count(*) FILTER (WHERE household_id IS NOT NULL AND programmes = 3),
                     count(*) FILTER (WHERE household_id IS NOT NULL AND programmes >= 4)] AS overlap,
               count(*) FILTER (WHERE decile = 1) AS decile_1_reached
          FROM per_recipient GROUP BY fiscal_year, location
    ), totals AS (
        SELECT fiscal_year, location, count(*) AS deliveries, sum(value_idr) AS value_idr,
               count(DISTINCT household_id) AS households, count(DISTINCT person) AS persons
          FROM summary_base GROUP BY fiscal_year, location
    )
    SELECT t.fiscal_year, t.location, t.deliveries, t.value_idr, t.households, t.persons, r.recipients, r.in_registry,
           r.decile_1_4, r.by_decile, r.overlap, r.decile_1_reached
      FROM totals t JOIN recipients r USING (fiscal_year, location);

    DELETE FROM padu.summary_registry;
    INSERT INTO padu.summary_registry
    SELECT region_code, count(*), count(*) FILTER (WHERE decile = 1), count(*) FILTER (WHERE decile BETWEEN 1 AND 4)
      FROM padu.households WHERE decile IS NOT NULL GROUP BY region_code;

    elapsed := (extract(epoch FROM clock_timestamp() - started) * 1000)::bigint;
    UPDATE padu.summary_state SET as_of = started, refresh_ms = elapsed, signature = padu.summary_signature();
    ANALYZE padu.summary_agency, padu.summary_cluster, padu.summary_location, padu.summary_registry;
    RETURN elapsed;
END
$$;

-- Changes since the last refresh, from the statistics counters of the tables the summary
-- reads: cheap to compute and needs no write on the hot path.
CREATE FUNCTION padu.summary_signature() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT string_agg(relname || ':' || (n_tup_ins + n_tup_upd + n_tup_del), ',' ORDER BY relname)
      FROM pg_stat_user_tables
     WHERE schemaname = 'padu'
       AND relname IN ('deliveries', 'households', 'household_members', 'registry_entries', 'persons', 'programs');
END;

-- Refreshes when something changed (or never refreshed); returns the milliseconds spent, or null.
CREATE FUNCTION padu.refresh_summary_if_changed() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('padu.refresh_summary_check')) THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM padu.summary_state WHERE as_of IS NOT NULL AND signature = padu.summary_signature()) THEN
        RETURN NULL;
    END IF;
    RETURN padu.refresh_summary();
END
$$;

-- Agencies that serve a scope: those located in it or above it (a regency's agencies serve
-- each of its districts).
CREATE FUNCTION padu.agencies_serving(p_scope text) RETURNS TABLE (id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT a.id FROM padu.agencies a
     WHERE padu.in_scope(a.region_code, p_scope) OR padu.in_scope(p_scope, a.region_code);
END;

-- The executive summary for a year and the caller's scope, as the API's JSON.
CREATE FUNCTION padu.summary(p_year int, p_period text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    v_scope text := padu.current_scope();
    result jsonb;
BEGIN
    IF v_scope IS NULL THEN
        RAISE EXCEPTION 'no scope' USING ERRCODE = '42501';
    END IF;
    WITH serving AS (SELECT id FROM padu.agencies_serving(v_scope)),
    budget AS (
        SELECT b.agency_id, sum(b.allocated_idr) AS allocated
          FROM padu.budget_allocations b WHERE b.fiscal_year = p_year AND b.agency_id IN (SELECT id FROM serving)
         GROUP BY b.agency_id
    ), realized AS (
        SELECT r.agency_id, sum(r.amount_idr) AS realized
          FROM padu.realizations r WHERE r.fiscal_year = p_year AND r.agency_id IN (SELECT id FROM serving)
         GROUP BY r.agency_id
    ), reach AS (
        SELECT s.agency_id, sum(s.deliveries) AS deliveries, sum(s.households) AS households, sum(s.persons) AS persons
          FROM padu.summary_agency s WHERE s.fiscal_year = p_year AND padu.in_scope(s.location, v_scope)
         GROUP BY s.agency_id
    ), by_agency AS (
        SELECT a.id, a.code, a.name, a.short_name, coalesce(b.allocated, 0) AS allocated,
               coalesce(r.realized, 0) AS realized, coalesce(x.persons, 0) AS persons,
               coalesce(x.households, 0) AS households, coalesce(x.deliveries, 0) AS deliveries
          FROM padu.agencies a
          LEFT JOIN budget b ON b.agency_id = a.id
          LEFT JOIN realized r ON r.agency_id = a.id
          LEFT JOIN reach x ON x.agency_id = a.id
         WHERE a.id IN (SELECT id FROM serving) OR x.agency_id IS NOT NULL
    ), cluster_budget AS (
        SELECT p.cluster_id, sum(b.allocated_idr) AS allocated
          FROM padu.budget_allocations b JOIN padu.programs p ON p.id = b.program_id
         WHERE b.fiscal_year = p_year AND b.agency_id IN (SELECT id FROM serving) GROUP BY p.cluster_id
    ), cluster_realized AS (
        SELECT p.cluster_id, sum(r.amount_idr) AS realized
          FROM padu.realizations r JOIN padu.programs p ON p.id = r.program_id
         WHERE r.fiscal_year = p_year AND r.agency_id IN (SELECT id FROM serving) GROUP BY p.cluster_id
    ), cluster_reach AS (
        SELECT s.cluster_id, sum(s.deliveries) AS deliveries, sum(s.households) AS households, sum(s.persons) AS persons
          FROM padu.summary_cluster s WHERE s.fiscal_year = p_year AND padu.in_scope(s.location, v_scope)
         GROUP BY s.cluster_id
    ), by_cluster AS (
        SELECT c.id, c.name, coalesce(b.allocated, 0) AS allocated, coalesce(r.realized, 0) AS realized,
               coalesce(x.persons, 0) AS persons, coalesce(x.households, 0) AS households,
               coalesce(x.deliveries, 0) AS deliveries
          FROM padu.clusters c
          LEFT JOIN cluster_budget b ON b.cluster_id = c.id
          LEFT JOIN cluster_realized r ON r.cluster_id = c.id
          LEFT JOIN cluster_reach x ON x.cluster_id = c.id
    ), located AS (
        SELECT coalesce(sum(deliveries), 0) AS deliveries, coalesce(sum(households), 0) AS households,
               coalesce(sum(persons), 0) AS persons, coalesce(sum(recipients), 0) AS recipients,
               coalesce(sum(in_registry), 0) AS in_registry, coalesce(sum(decile_1_4), 0) AS decile_1_4,
               coalesce(sum(decile_1_reached), 0) AS decile_1_reached,
               (SELECT array_agg(total ORDER BY i) FROM (
                   SELECT i, coalesce(sum(x.by_decile[i]), 0) AS total FROM generate_series(1, 10) i
                     LEFT JOIN padu.summary_location x ON x.fiscal_year = p_year AND padu.in_scope(x.location, v_scope)
                    GROUP BY i) d) AS by_decile,
               (SELECT array_agg(total ORDER BY i) FROM (
                   SELECT i, coalesce(sum(x.overlap[i]), 0) AS total FROM generate_series(1, 4) i
                     LEFT JOIN padu.summary_location x ON x.fiscal_year = p_year AND padu.in_scope(x.location, v_scope)
                    GROUP BY i) o) AS overlap
          FROM padu.summary_location l WHERE l.fiscal_year = p_year AND padu.in_scope(l.location, v_scope)
    ), registry AS (
        SELECT coalesce(sum(decile_1), 0) AS decile_1
          FROM padu.summary_registry WHERE padu.in_scope(location, v_scope)
    ), reporting AS (
        SELECT count(*) FILTER (WHERE submitted) AS submitted,
               coalesce(jsonb_agg(name ORDER BY name) FILTER (WHERE NOT submitted), '[]') AS missing
          FROM (
            SELECT a.name, EXISTS (SELECT 1 FROM padu.progress_reports r
                                    WHERE r.agency_id = a.id AND r.period = p_period AND r.status = 'submitted') AS submitted
              FROM padu.agencies a
             WHERE a.id IN (SELECT id FROM serving) AND EXISTS (SELECT 1 FROM padu.programs p WHERE p.agency_id = a.id)
          ) s
    )
    SELECT jsonb_build_object(
        'year', p_year,
        'scope', v_scope,
        'scope_name', (SELECT name FROM padu.regions WHERE code = v_scope),
        'as_of', (SELECT to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM padu.summary_state),
        'totals', (SELECT jsonb_build_object(
            'allocated_idr', coalesce(sum(allocated), 0), 'realized_idr', coalesce(sum(realized), 0),
            'realization_rate', CASE WHEN sum(allocated) > 0 THEN round(sum(realized)::numeric / sum(allocated), 4) END,
            'persons_reached', (SELECT persons FROM located), 'households_reached', (SELECT households FROM located),
            'deliveries', (SELECT deliveries FROM located)) FROM by_agency),
        'by_agency', coalesce((SELECT jsonb_agg(jsonb_build_object(
            'agency_id', id, 'agency_code', code, 'agency', name, 'allocated_idr', allocated, 'realized_idr', realized,
            'realization_rate', CASE WHEN allocated > 0 THEN round(realized::numeric / allocated, 4) END,
            'persons_reached', persons, 'households_reached', households, 'deliveries', deliveries) ORDER BY code)
            FROM by_agency), '[]'),
        'by_cluster', coalesce((SELECT jsonb_agg(jsonb_build_object(
            'cluster_id', id, 'cluster', name, 'allocated_idr', allocated, 'realized_idr', realized,
            'realization_rate', CASE WHEN allocated > 0 THEN round(realized::numeric / allocated, 4) END,
            'persons_reached', persons, 'households_reached', households, 'deliveries', deliveries) ORDER BY id)
            FROM by_cluster), '[]'),
        'targeting', (SELECT jsonb_build_object(
            'recipients', recipients, 'in_registry', in_registry, 'decile_1_4', decile_1_4,
            'outside_registry', recipients - in_registry,
            'share_decile_1_4', CASE WHEN recipients > 0 THEN round(decile_1_4::numeric / recipients, 4) END,
            'by_decile', to_jsonb(by_decile)) FROM located),
        'overlap', (SELECT jsonb_build_object('households_by_program_count', jsonb_build_object(
            '1', overlap[1], '2', overlap[2], '3', overlap[3], '4+', overlap[4])) FROM located),
        'exclusion', jsonb_build_object(
            'decile_1_households', (SELECT decile_1 FROM registry),
            'decile_1_households_reached', (SELECT decile_1_reached FROM located)),
        'reporting', (SELECT jsonb_build_object('period', p_period, 'submitted', submitted, 'missing', missing)
                        FROM reporting))
    INTO result;
    RETURN result;
END
$$;

-- Per district or village of the caller's scope: registry households, households reached,
-- decile 1-4 households reached, value delivered. Cells under 5 households are null.
CREATE FUNCTION padu.summary_regions(p_year int, p_level int)
RETURNS TABLE (region_code text, region text, registry_households bigint, households_reached bigint,
               decile_1_4_households_reached bigint, value_delivered_idr bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    WITH scope AS (SELECT padu.current_scope() AS code),
    regions AS (
        SELECT g.code::text AS code, g.name FROM padu.regions g, scope
         WHERE g.level = p_level AND padu.in_scope(g.code, scope.code)
    ), reach AS (
        SELECT substr(l.location, 1, CASE p_level WHEN 3 THEN 8 ELSE 13 END) AS code,
               sum(l.households) AS households, sum(l.decile_1_4) AS decile_1_4, sum(l.value_idr) AS value_idr
          FROM padu.summary_location l, scope
         WHERE l.fiscal_year = p_year AND length(l.location) = 13 AND padu.in_scope(l.location, scope.code)
         GROUP BY 1
    ), registry AS (
        SELECT substr(s.location, 1, CASE p_level WHEN 3 THEN 8 ELSE 13 END) AS code, sum(s.households) AS households
          FROM padu.summary_registry s, scope WHERE padu.in_scope(s.location, scope.code) GROUP BY 1
    )
    SELECT r.code, r.name,
           CASE WHEN g.households >= 5 THEN g.households END,
           CASE WHEN x.households >= 5 THEN x.households END,
           CASE WHEN x.decile_1_4 >= 5 THEN x.decile_1_4 END,
           CASE WHEN x.households >= 5 THEN x.value_idr END
      FROM regions r LEFT JOIN reach x ON x.code = r.code LEFT JOIN registry g ON g.code = r.code
     ORDER BY r.code;
END;

GRANT EXECUTE ON FUNCTION padu.summary(int, text), padu.summary_regions(int, int)
    TO padu_executive, padu_admin, padu_coordinator;
GRANT EXECUTE ON FUNCTION padu.refresh_summary_if_changed() TO padu_api;
GRANT EXECUTE ON FUNCTION padu.refresh_summary() TO padu_api, padu_admin;

-- Analysts see the same precomputed facts, by village and year (small cells suppressed).
CREATE VIEW analytics.summary_by_village AS
SELECT l.fiscal_year, l.location AS village_code, substr(l.location, 1, 8) AS district_code,
       CASE WHEN l.households >= 5 THEN l.households END AS households_reached,
       CASE WHEN l.households >= 5 THEN l.persons END AS persons_reached,
       CASE WHEN l.decile_1_4 >= 5 THEN l.decile_1_4 END AS decile_1_4_households_reached,
       CASE WHEN l.households >= 5 THEN l.value_idr END AS value_idr
  FROM padu.summary_location l WHERE length(l.location) = 13;
GRANT SELECT ON analytics.summary_by_village TO padu_analyst;

-- Freshness and the years there is data for are not personal: the summary's readers may see them.
GRANT SELECT ON padu.summary_state, padu.summary_location TO padu_executive, padu_admin, padu_coordinator;
