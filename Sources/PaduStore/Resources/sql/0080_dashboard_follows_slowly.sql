-- The dashboard's precomputed tables (0075) follow the summary's full rebuild, not every drain
-- of the maintained summary (0046): a drain runs every second under writes and touches a few
-- cells, while refresh_dashboard() reads every delivery (tens of seconds at a regency's scale).
-- So the trigger on summary_state goes; padu.refresh_summary(), the repair tool, refreshes both;
-- and the API's refresher calls padu.refresh_dashboard_if_stale() on its own slower tick.
-- Reversed deliveries and realisations (0045) count nowhere on the dashboard or in the pack.
SET LOCAL ROLE padu_owner;

DROP TRIGGER summary_state_refreshes_dashboard ON padu.summary_state;
DROP FUNCTION padu.summary_state_refreshes_dashboard();

CREATE OR REPLACE FUNCTION padu.refresh_summary() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    elapsed bigint;
BEGIN
    PERFORM 1 FROM padu.locks WHERE name = 'refresh_summary' FOR UPDATE;
    elapsed := padu.rebuild_summary();
    RETURN elapsed + padu.refresh_dashboard();
END
$$;

-- Refreshes the dashboard's tables when the summary moved on since, and not more often than
-- every p_min_seconds; NULL when there was nothing to do or another refresh is running.
CREATE FUNCTION padu.refresh_dashboard_if_stale(p_min_seconds int) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    v_dashboard timestamptz;
BEGIN
    SELECT as_of INTO v_dashboard FROM padu.dashboard_state FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF v_dashboard IS NOT NULL
       AND (v_dashboard > clock_timestamp() - make_interval(secs => greatest(p_min_seconds, 0))
            OR v_dashboard >= (SELECT coalesce(as_of, '-infinity') FROM padu.summary_state)) THEN
        RETURN NULL;
    END IF;
    RETURN padu.refresh_dashboard();
END
$$;
REVOKE EXECUTE ON FUNCTION padu.refresh_dashboard_if_stale(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION padu.refresh_dashboard_if_stale(int) TO padu_api, padu_admin;

CREATE OR REPLACE FUNCTION padu.refresh_dashboard() RETURNS bigint
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
      LEFT JOIN padu.households h ON h.id = coalesce(d.household_id, m.household_id)
     WHERE NOT EXISTS (SELECT 1 FROM padu.delivery_reversals x WHERE x.delivery_id = d.id);

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

CREATE OR REPLACE FUNCTION padu.dashboard_year_over_year(p_year int)
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
         WHERE r.fiscal_year IN (p_year, p_year - 1) AND r.agency_id IN (SELECT id FROM serving) AND NOT r.reversed
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

CREATE OR REPLACE FUNCTION padu.rakor(p_period text) RETURNS jsonb
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
                 WHERE r.program_id = p.id AND r.fiscal_year = v_year AND r.month <= v_last_month AND NOT r.reversed) AS realized,
               (SELECT padu.clamped_bigint(sum(r.output_quantity)) FROM padu.realizations r
                 WHERE r.program_id = p.id AND r.fiscal_year = v_year AND r.month <= v_last_month AND NOT r.reversed) AS outputs,
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
    ), deciles AS (
        SELECT d.agency_id, padu.clamped_bigint(sum(d.outside_registry)) AS outside,
               (SELECT array_agg(padu.clamped_bigint(t.total) ORDER BY t.i) FROM (
                   SELECT i, sum(x.by_decile[i]) AS total FROM generate_series(1, 10) i
                     CROSS JOIN padu.dashboard_agency_deciles x
                    WHERE x.fiscal_year = v_year AND x.agency_id = d.agency_id AND padu.in_scope(x.location, v_scope)
                    GROUP BY i) t) AS by_decile
          FROM padu.dashboard_agency_deciles d
         WHERE d.fiscal_year = v_year AND padu.in_scope(d.location, v_scope)
         GROUP BY d.agency_id
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
                coalesce(dd.by_decile, '{0,0,0,0,0,0,0,0,0,0}'::bigint[]) || coalesce(dd.outside, 0)) AS shown
                FROM (SELECT 1) one LEFT JOIN deciles dd ON dd.agency_id = a.id) d), '[]'))
    INTO result;
    RETURN result;
END
$$;
