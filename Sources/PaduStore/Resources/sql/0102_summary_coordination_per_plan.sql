-- /summary's coordination figures (0047: plan lines submitted, approved, rejected, the value
-- rejected, rejected lines per flag) kept per plan, as the reach is kept per cell (0046). At ten
-- times Muba (5 million plan lines) padu.summary read the year's lines on every request: 3.4-4.9 s
-- for /summary and the dashboard, and four at once held the pool until requests got 503.
--
-- A plan is the unit that moves these figures: lines are added to it while it is a draft (not
-- counted), it is submitted (its lines count), decided (lines approved or rejected). So
-- statement-level triggers recompute, inside the writing transaction, the rows of the plans a
-- statement touched, from those plans' own lines, counted as 0047 counted them. The figures are
-- exact at commit, with no refresher tick; a write reads only its own plans' lines (a decision on
-- a plan of 10,000 lines reads them once more); only the plan's writers touch its row. A plan of a
-- deleted draft leaves nothing; the repair tool (padu.refresh_summary) recomputes every plan.
SET LOCAL ROLE padu_owner;

-- One row per plan put before the coordinator (and per agency of its lines, which the plan's key
-- makes its own agency), with at least one line.
CREATE TABLE padu.summary_coordination (
    plan_id bigint NOT NULL,
    agency_id bigint NOT NULL,
    fiscal_year smallint NOT NULL,
    submitted bigint NOT NULL,
    approved bigint NOT NULL,
    rejected bigint NOT NULL,
    rejected_value_idr numeric NOT NULL,
    rejected_by_flag jsonb NOT NULL,
    PRIMARY KEY (plan_id, agency_id)
);
CREATE INDEX summary_coordination_year ON padu.summary_coordination (fiscal_year, agency_id);
REVOKE ALL ON padu.summary_coordination FROM PUBLIC;

-- Recomputes the rows of the given plans from their lines: the one place the figures are counted.
CREATE FUNCTION padu.summary_recompute_plans(p_plans bigint[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    DELETE FROM padu.summary_coordination WHERE plan_id = ANY (p_plans);
    INSERT INTO padu.summary_coordination
    WITH counted AS (
        SELECT p.id, p.fiscal_year FROM padu.distribution_plans p WHERE p.id = ANY (p_plans) AND p.status <> 'draft'
    ), totals AS (
        SELECT l.plan_id, l.agency_id, count(*) AS submitted, count(*) FILTER (WHERE l.status = 'approved') AS approved,
               count(*) FILTER (WHERE l.status = 'rejected') AS rejected,
               coalesce(sum(l.planned_value_idr) FILTER (WHERE l.status = 'rejected'), 0) AS rejected_value_idr
          FROM counted c JOIN padu.plan_lines l ON l.plan_id = c.id
         GROUP BY l.plan_id, l.agency_id
    ), flags AS (
        SELECT x.plan_id, x.agency_id, jsonb_object_agg(x.flag, x.n) AS by_flag
          FROM (SELECT l.plan_id, l.agency_id, f AS flag, count(*) AS n
                  FROM counted c JOIN padu.plan_lines l ON l.plan_id = c.id, unnest(l.flags) AS f
                 WHERE l.status = 'rejected' GROUP BY l.plan_id, l.agency_id, f) x
         GROUP BY x.plan_id, x.agency_id
    )
    SELECT t.plan_id, t.agency_id, c.fiscal_year, t.submitted, t.approved, t.rejected, t.rejected_value_idr,
           coalesce(f.by_flag, '{}')
      FROM totals t
      JOIN counted c ON c.id = t.plan_id
      LEFT JOIN flags f ON f.plan_id = t.plan_id AND f.agency_id = t.agency_id;
END;
REVOKE EXECUTE ON FUNCTION padu.summary_recompute_plans(bigint[]) FROM PUBLIC;

-- Lines added, removed, or changed in what is counted (status, value, flags, plan, agency).
CREATE FUNCTION padu.summary_coordination_lines() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM padu.summary_recompute_plans(ARRAY(SELECT DISTINCT plan_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM padu.summary_recompute_plans(ARRAY(SELECT DISTINCT plan_id FROM old_rows));
    ELSE
        PERFORM padu.summary_recompute_plans(ARRAY(
            SELECT DISTINCT x.plan_id
              FROM new_rows n JOIN old_rows o ON o.id = n.id,
                   LATERAL (VALUES (n.plan_id), (o.plan_id)) x(plan_id)
             WHERE (n.plan_id, n.agency_id, n.status, n.planned_value_idr, n.flags)
                   IS DISTINCT FROM (o.plan_id, o.agency_id, o.status, o.planned_value_idr, o.flags)));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER plan_lines_summary_insert AFTER INSERT ON padu.plan_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_coordination_lines();
CREATE TRIGGER plan_lines_summary_update AFTER UPDATE ON padu.plan_lines
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_coordination_lines();
CREATE TRIGGER plan_lines_summary_delete AFTER DELETE ON padu.plan_lines
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_coordination_lines();

-- A plan submitted (or sent back to draft), or whose year changed: its lines start or stop counting.
CREATE FUNCTION padu.summary_coordination_plans() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM padu.summary_coordination WHERE plan_id IN (SELECT id FROM old_rows);
    ELSE
        PERFORM padu.summary_recompute_plans(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.status = 'draft') <> (o.status = 'draft') OR n.fiscal_year <> o.fiscal_year));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER distribution_plans_summary_update AFTER UPDATE ON padu.distribution_plans
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_coordination_plans();
CREATE TRIGGER distribution_plans_summary_delete AFTER DELETE ON padu.distribution_plans
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_coordination_plans();

-- The repair tool recomputes every plan too.
CREATE OR REPLACE FUNCTION padu.refresh_summary() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    elapsed bigint;
BEGIN
    PERFORM 1 FROM padu.locks WHERE name = 'refresh_summary' FOR UPDATE;
    elapsed := padu.rebuild_summary();
    PERFORM padu.summary_recompute_plans(ARRAY(SELECT id FROM padu.distribution_plans));
    RETURN elapsed + padu.refresh_dashboard();
END
$$;

SELECT padu.summary_recompute_plans(ARRAY(SELECT id FROM padu.distribution_plans));
ANALYZE padu.summary_coordination;

-- padu.summary as 0047 wrote it, its coordination read from the rows above.
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
    ), coordination AS (
        SELECT coalesce(sum(c.submitted), 0) AS submitted, coalesce(sum(c.approved), 0) AS approved,
               coalesce(sum(c.rejected), 0) AS rejected, coalesce(sum(c.rejected_value_idr), 0) AS rejected_value,
               (SELECT coalesce(jsonb_object_agg(x.flag, x.n), '{}')
                  FROM (SELECT f.key AS flag, sum(f.value::bigint) AS n
                          FROM padu.summary_coordination k, jsonb_each_text(k.rejected_by_flag) f
                         WHERE k.fiscal_year = v_year AND k.agency_id IN (SELECT id FROM serving)
                         GROUP BY f.key) x) AS by_flag
          FROM padu.summary_coordination c
         WHERE c.fiscal_year = v_year AND c.agency_id IN (SELECT id FROM serving)
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
