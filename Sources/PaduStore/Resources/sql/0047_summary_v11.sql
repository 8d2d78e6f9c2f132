-- /summary as API v1.1 says ("Summary"):
-- - year optional: padu.summary_latest_year() is the latest year with deliveries, budgets or
--   standing realisations in the caller's scope (else the current year in Jakarta);
-- - reporting of ?period=, by default the latest quarter of the year with a submitted report in
--   scope, else (no report yet) the current quarter for the current year, the fourth for others;
-- - by_agency[].outputs: realised outputs per programme unit (realizations.output_quantity);
-- - coordination: plan lines submitted, approved and rejected, the value rejected and the
--   rejected lines per flag: the aid the check and the coordinator kept from going off target;
-- - reversed realisations (0045) count nowhere; reversed deliveries are out of the summary
--   tables already (0046).
SET LOCAL ROLE padu_owner;

CREATE FUNCTION padu.summary_latest_year() RETURNS int
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    WITH serving AS (SELECT id FROM padu.agencies_serving(padu.current_scope()))
    SELECT coalesce(greatest(
        (SELECT max(l.fiscal_year) FROM padu.summary_location l WHERE padu.in_scope(l.location, padu.current_scope())),
        (SELECT max(b.fiscal_year) FROM padu.budget_allocations b WHERE b.agency_id IN (SELECT id FROM serving)),
        (SELECT max(r.fiscal_year) FROM padu.realizations r WHERE NOT r.reversed AND r.agency_id IN (SELECT id FROM serving))),
        extract(year FROM now() AT TIME ZONE 'Asia/Jakarta'))::int;
END;
GRANT EXECUTE ON FUNCTION padu.summary_latest_year() TO padu_executive, padu_admin, padu_coordinator;

CREATE OR REPLACE FUNCTION padu.summary(p_year int, p_period text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    v_scope text := padu.current_scope();
    v_year int := coalesce(p_year, padu.summary_latest_year());
    v_period text := p_period;
    result jsonb;
BEGIN
    IF v_scope IS NULL THEN
        RAISE EXCEPTION 'no scope' USING ERRCODE = '42501';
    END IF;
    IF v_period IS NULL THEN
        SELECT max(r.period) INTO v_period FROM padu.progress_reports r
         WHERE r.status = 'submitted' AND r.period LIKE v_year || '-Q_'
           AND r.agency_id IN (SELECT id FROM padu.agencies_serving(v_scope));
        v_period := coalesce(v_period, v_year || '-Q' || CASE
            WHEN v_year = extract(year FROM now() AT TIME ZONE 'Asia/Jakarta')
            THEN extract(quarter FROM now() AT TIME ZONE 'Asia/Jakarta')::int ELSE 4 END);
    END IF;
    WITH serving AS (SELECT id FROM padu.agencies_serving(v_scope)),
    budget AS (
        SELECT b.agency_id, sum(b.allocated_idr) AS allocated
          FROM padu.budget_allocations b WHERE b.fiscal_year = v_year AND b.agency_id IN (SELECT id FROM serving)
         GROUP BY b.agency_id
    ), realized AS (
        SELECT r.agency_id, sum(r.amount_idr) AS realized
          FROM padu.realizations r
         WHERE r.fiscal_year = v_year AND NOT r.reversed AND r.agency_id IN (SELECT id FROM serving)
         GROUP BY r.agency_id
    ), outputs AS (
        SELECT o.agency_id, jsonb_agg(jsonb_build_object('unit', o.unit, 'quantity', o.quantity) ORDER BY o.unit) AS outputs
          FROM (SELECT r.agency_id, p.unit, sum(r.output_quantity) AS quantity
                  FROM padu.realizations r JOIN padu.programs p ON p.id = r.program_id
                 WHERE r.fiscal_year = v_year AND NOT r.reversed AND r.output_quantity IS NOT NULL
                   AND r.agency_id IN (SELECT id FROM serving)
                 GROUP BY r.agency_id, p.unit) o
         GROUP BY o.agency_id
    ), reach AS (
        SELECT s.agency_id, sum(s.deliveries) AS deliveries, sum(s.households) AS households, sum(s.persons) AS persons
          FROM padu.summary_agency s WHERE s.fiscal_year = v_year AND padu.in_scope(s.location, v_scope)
         GROUP BY s.agency_id
    ), by_agency AS (
        SELECT a.id, a.code, a.name, a.short_name, coalesce(b.allocated, 0) AS allocated,
               coalesce(r.realized, 0) AS realized, coalesce(x.persons, 0) AS persons,
               coalesce(x.households, 0) AS households, coalesce(x.deliveries, 0) AS deliveries,
               coalesce(o.outputs, '[]') AS outputs
          FROM padu.agencies a
          LEFT JOIN budget b ON b.agency_id = a.id
          LEFT JOIN realized r ON r.agency_id = a.id
          LEFT JOIN reach x ON x.agency_id = a.id
          LEFT JOIN outputs o ON o.agency_id = a.id
         WHERE a.id IN (SELECT id FROM serving) OR x.agency_id IS NOT NULL
    ), cluster_budget AS (
        SELECT p.cluster_id, sum(b.allocated_idr) AS allocated
          FROM padu.budget_allocations b JOIN padu.programs p ON p.id = b.program_id
         WHERE b.fiscal_year = v_year AND b.agency_id IN (SELECT id FROM serving) GROUP BY p.cluster_id
    ), cluster_realized AS (
        SELECT p.cluster_id, sum(r.amount_idr) AS realized
          FROM padu.realizations r JOIN padu.programs p ON p.id = r.program_id
         WHERE r.fiscal_year = v_year AND NOT r.reversed AND r.agency_id IN (SELECT id FROM serving)
         GROUP BY p.cluster_id
    ), cluster_reach AS (
        SELECT s.cluster_id, sum(s.deliveries) AS deliveries, sum(s.households) AS households, sum(s.persons) AS persons
          FROM padu.summary_cluster s WHERE s.fiscal_year = v_year AND padu.in_scope(s.location, v_scope)
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
                     LEFT JOIN padu.summary_location x ON x.fiscal_year = v_year AND padu.in_scope(x.location, v_scope)
                    GROUP BY i) d) AS by_decile,
               (SELECT array_agg(total ORDER BY i) FROM (
                   SELECT i, coalesce(sum(x.overlap[i]), 0) AS total FROM generate_series(1, 4) i
                     LEFT JOIN padu.summary_location x ON x.fiscal_year = v_year AND padu.in_scope(x.location, v_scope)
                    GROUP BY i) o) AS overlap
          FROM padu.summary_location l WHERE l.fiscal_year = v_year AND padu.in_scope(l.location, v_scope)
    ), registry AS (
        SELECT coalesce(sum(decile_1), 0) AS decile_1
          FROM padu.summary_registry WHERE padu.in_scope(location, v_scope)
    ), reporting AS (
        SELECT count(*) FILTER (WHERE submitted) AS submitted,
               coalesce(jsonb_agg(name ORDER BY name) FILTER (WHERE NOT submitted), '[]') AS missing
          FROM (
            SELECT a.name, EXISTS (SELECT 1 FROM padu.progress_reports r
                                    WHERE r.agency_id = a.id AND r.period = v_period AND r.status = 'submitted') AS submitted
              FROM padu.agencies a
             WHERE a.id IN (SELECT id FROM serving) AND EXISTS (SELECT 1 FROM padu.programs p WHERE p.agency_id = a.id)
          ) s
    ), lines AS (
        SELECT l.status, l.planned_value_idr, l.flags
          FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
         WHERE l.fiscal_year = v_year AND p.status <> 'draft' AND l.agency_id IN (SELECT id FROM serving)
    ), coordination AS (
        SELECT count(*) AS submitted, count(*) FILTER (WHERE status = 'approved') AS approved,
               count(*) FILTER (WHERE status = 'rejected') AS rejected,
               coalesce(sum(planned_value_idr) FILTER (WHERE status = 'rejected'), 0) AS rejected_value,
               (SELECT coalesce(jsonb_object_agg(flag, n), '{}')
                  FROM (SELECT f AS flag, count(*) AS n FROM lines, unnest(lines.flags) AS f
                         WHERE lines.status = 'rejected' GROUP BY f) x) AS by_flag
          FROM lines
    )
    SELECT jsonb_build_object(
        'year', v_year,
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
            'persons_reached', persons, 'households_reached', households, 'deliveries', deliveries,
            'outputs', outputs) ORDER BY code)
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
        'reporting', (SELECT jsonb_build_object('period', v_period, 'submitted', submitted, 'missing', missing)
                        FROM reporting),
        'coordination', (SELECT jsonb_build_object(
            'lines_submitted', submitted, 'lines_approved', approved, 'lines_rejected', rejected,
            'rejected_value_idr', rejected_value, 'rejected_by_flag', by_flag) FROM coordination))
    INTO result;
    RETURN result;
END
$$;
