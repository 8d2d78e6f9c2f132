-- A province in one deployment: every regency has its own agencies (OPDs) and its own
-- coordinator of each cluster.
-- Until now clusters were global: clusters.coordinator_agency_id named one agency for the whole
-- deployment, and the coordinator decided (and read) the plans, programmes and reports of every
-- agency of its cluster, whichever regency the agency served. With several regencies in one
-- database, Dinsos of Musi Banyuasin would decide the plans of Banyuasin's agencies.
-- 1. An agency belongs to a regency: agencies.regency_code, derived from its region (NULL for an
--    agency of the province itself).
-- 2. padu.cluster_coordinators names the coordinating agency per cluster and regency; the
--    coordinator is of that regency and a member of the cluster (keys, not triggers).
--    clusters.coordinator_agency_id stays for what reads it (the seeder, the reference list):
--    setting it names the coordinator in that agency's regency (trigger below), and it no
--    longer decides anything by itself.
-- 3. A coordinator coordinates a programme when it coordinates the programme's cluster in the
--    regency of the programme's agency: padu.coordinated_clusters() (its clusters) together with
--    padu.regency_agencies() (the agencies of its regency) in the policies, and
--    padu.coordinates_program() in the functions that ran on clusters alone.
-- 4. An account's scope lies in the deployment (a regency that has agencies, or a region above
--    or below one), and an agency's or coordinator's account lies within its agency's regency:
--    a coordinator of Banyuasin scoped to the province would have read every regency's registry.
--    PD090, checked after row-level security so that an admin outside its scope is still told
--    it may not (403) before it is told the scope is wrong.
-- 5. padu.summary_by_regency(): the roll-up of a province scope, one entry per regency.
SET LOCAL ROLE padu_owner;

-- 1. The agency's regency.
ALTER TABLE padu.agencies ADD COLUMN regency_code padu.region_code
    GENERATED ALWAYS AS (CASE WHEN length(region_code) >= 5 THEN left(region_code, 5) END) STORED;
ALTER TABLE padu.agencies ADD CONSTRAINT agencies_id_regency UNIQUE (id, regency_code);
CREATE INDEX agencies_regency ON padu.agencies (regency_code);

-- A cluster has a chair and a vice chair in each regency (was: one in the whole deployment). A
-- member row carries its agency's regency, kept by the key (ON UPDATE CASCADE follows an agency
-- that moves) and filled in on insert.
ALTER TABLE padu.cluster_members ADD COLUMN regency_code padu.region_code;
UPDATE padu.cluster_members m SET regency_code = a.regency_code FROM padu.agencies a WHERE a.id = m.agency_id;
ALTER TABLE padu.cluster_members ADD CONSTRAINT cluster_members_agency_regency
    FOREIGN KEY (agency_id, regency_code) REFERENCES padu.agencies (id, regency_code) ON UPDATE CASCADE;
CREATE FUNCTION padu.cluster_members_regency() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    NEW.regency_code := (SELECT a.regency_code FROM padu.agencies a WHERE a.id = NEW.agency_id);
    RETURN NEW;
END
$$;
CREATE TRIGGER cluster_members_regency BEFORE INSERT OR UPDATE OF agency_id ON padu.cluster_members
    FOR EACH ROW EXECUTE FUNCTION padu.cluster_members_regency();
DROP INDEX padu.cluster_members_one_chair;
DROP INDEX padu.cluster_members_one_vice_chair;
CREATE UNIQUE INDEX cluster_members_one_chair ON padu.cluster_members (cluster_id, coalesce(regency_code::text, ''))
    WHERE role = 'chair';
CREATE UNIQUE INDEX cluster_members_one_vice_chair ON padu.cluster_members (cluster_id, coalesce(regency_code::text, ''))
    WHERE role = 'vice_chair';

-- 2. Each regency's coordinator of each cluster.
CREATE TABLE padu.cluster_coordinators (
    cluster_id smallint NOT NULL REFERENCES padu.clusters,
    regency_code padu.region_code NOT NULL REFERENCES padu.regions CHECK (length(regency_code) = 5),
    agency_id bigint NOT NULL,
    PRIMARY KEY (cluster_id, regency_code),
    -- The coordinator is an agency of that regency ...
    FOREIGN KEY (agency_id, regency_code) REFERENCES padu.agencies (id, regency_code),
    -- ... and a member of the cluster.
    FOREIGN KEY (cluster_id, agency_id) REFERENCES padu.cluster_members (cluster_id, agency_id)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX cluster_coordinators_agency ON padu.cluster_coordinators (agency_id);
GRANT SELECT ON padu.cluster_coordinators TO padu_agency, padu_coordinator, padu_executive, padu_admin;

INSERT INTO padu.cluster_coordinators (cluster_id, regency_code, agency_id)
SELECT c.id, a.regency_code, a.id
  FROM padu.clusters c JOIN padu.agencies a ON a.id = c.coordinator_agency_id
 WHERE a.regency_code IS NOT NULL;

-- Setting clusters.coordinator_agency_id (the operator, the seeder) names the coordinator of the
-- cluster in that agency's regency; clearing it removes the agency it named.
CREATE FUNCTION padu.clusters_name_regency_coordinator() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF OLD.coordinator_agency_id IS NOT NULL THEN
        DELETE FROM padu.cluster_coordinators WHERE cluster_id = NEW.id AND agency_id = OLD.coordinator_agency_id;
    END IF;
    IF NEW.coordinator_agency_id IS NOT NULL THEN
        INSERT INTO padu.cluster_coordinators (cluster_id, regency_code, agency_id)
        SELECT NEW.id, a.regency_code, a.id FROM padu.agencies a
         WHERE a.id = NEW.coordinator_agency_id AND a.regency_code IS NOT NULL
        ON CONFLICT (cluster_id, regency_code) DO UPDATE SET agency_id = EXCLUDED.agency_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER clusters_name_regency_coordinator AFTER UPDATE OF coordinator_agency_id ON padu.clusters
    FOR EACH ROW WHEN (OLD.coordinator_agency_id IS DISTINCT FROM NEW.coordinator_agency_id)
    EXECUTE FUNCTION padu.clusters_name_regency_coordinator();

-- 3. What a coordinator coordinates.
-- The regency of the caller's agency.
CREATE FUNCTION padu.current_regency() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT regency_code FROM padu.agencies WHERE id = padu.current_agency());

-- Clusters whose plans the caller's agency decides (in its own regency).
CREATE OR REPLACE FUNCTION padu.coordinated_clusters() RETURNS smallint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT coalesce(array_agg(cluster_id ORDER BY cluster_id), '{}')
          FROM padu.cluster_coordinators WHERE agency_id = padu.current_agency());

-- The agencies of the caller's agency's regency: those whose programmes its clusters hold.
CREATE FUNCTION padu.regency_agencies() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM padu.agencies
         WHERE regency_code = padu.current_regency());

-- Whether the caller's agency coordinates a programme of this cluster and agency.
CREATE FUNCTION padu.coordinates_program(p_cluster_id smallint, p_agency_id bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1 FROM padu.cluster_coordinators c JOIN padu.agencies a ON a.regency_code = c.regency_code
                WHERE c.cluster_id = p_cluster_id AND c.agency_id = padu.current_agency() AND a.id = p_agency_id);

GRANT EXECUTE ON FUNCTION padu.current_regency(), padu.regency_agencies(), padu.coordinates_program(smallint, bigint)
    TO padu_agency, padu_coordinator, padu_executive, padu_admin;

-- The coordinator reads the programmes of its clusters in its regency (was: of its clusters, 0008).
ALTER POLICY coordinated_read ON padu.programs
    USING (cluster_id = ANY ((SELECT padu.coordinated_clusters())::smallint[])
           AND agency_id = ANY ((SELECT padu.regency_agencies())::bigint[]));

-- Plans it decides: those of the programmes it coordinates (was: of its clusters, 0008).
ALTER POLICY coordinator_decides ON padu.distribution_plans
    USING (status <> 'draft' AND program_id IN (
        SELECT id FROM padu.programs WHERE cluster_id = ANY ((SELECT padu.coordinated_clusters())::smallint[])
                                       AND agency_id = ANY ((SELECT padu.regency_agencies())::bigint[])))
    WITH CHECK (status <> 'draft' AND program_id IN (
        SELECT id FROM padu.programs WHERE cluster_id = ANY ((SELECT padu.coordinated_clusters())::smallint[])
                                       AND agency_id = ANY ((SELECT padu.regency_agencies())::bigint[])));

-- Progress reports of the programmes it coordinates (was: of its clusters, 0041).
ALTER POLICY coordinated_read ON padu.progress_reports
    USING (EXISTS (SELECT 1 FROM padu.programs p
                    WHERE p.id = progress_reports.program_id
                      AND p.cluster_id = ANY ((SELECT padu.coordinated_clusters())::smallint[])
                      AND p.agency_id = ANY ((SELECT padu.regency_agencies())::bigint[])));

CREATE OR REPLACE FUNCTION padu.decidable_plan(p_plan_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT EXISTS (
        SELECT 1 FROM padu.distribution_plans p JOIN padu.programs g ON g.id = p.program_id
         WHERE p.id = p_plan_id AND p.status <> 'draft' AND padu.coordinates_program(g.cluster_id, g.agency_id));
END;

CREATE OR REPLACE FUNCTION padu.may_check(p_program_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT EXISTS (
        SELECT 1 FROM padu.programs p
         WHERE p.id = p_program_id
           AND (p.agency_id = padu.current_agency() OR padu.coordinates_program(p.cluster_id, p.agency_id)));
END;

CREATE OR REPLACE FUNCTION padu.may_view_household(p_household_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT (current_setting('role') = 'padu_coordinator' AND padu.coordinates_a_cluster()
            AND EXISTS (SELECT 1 FROM padu.households h
                         WHERE h.id = p_household_id AND padu.in_scope(h.region_code, padu.current_scope())))
        -- Approved lines the caller may read: its own agency's, and for a coordinator also
        -- those of plans of the programmes it coordinates (the plan_lines policies).
        OR EXISTS (SELECT 1 FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                    WHERE l.household_id = p_household_id AND l.status = 'approved' AND p.status = 'approved'
                      AND (l.agency_id = padu.current_agency()
                           OR (current_setting('role') = 'padu_coordinator'
                               AND p.program_id IN (SELECT g.id FROM padu.programs g
                                                     WHERE padu.coordinates_program(g.cluster_id, g.agency_id)))))
        OR EXISTS (SELECT 1 FROM padu.deliveries d
                    WHERE d.household_id = p_household_id AND d.agency_id = padu.current_agency());
END;

-- The plan's transitions (0006), deciding by the coordinator of the programme in its regency.
CREATE OR REPLACE FUNCTION padu.distribution_plans_transition() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    v_cluster smallint;
    v_agency bigint;
BEGIN
    IF NEW.status = OLD.status THEN
        IF OLD.status <> 'draft' AND (NEW.program_id, NEW.fiscal_year, NEW.period)
                                     IS DISTINCT FROM (OLD.program_id, OLD.fiscal_year, OLD.period) THEN
            RAISE EXCEPTION 'a submitted plan cannot change' USING ERRCODE = 'PD005';
        END IF;
        RETURN NEW;
    END IF;
    SELECT p.cluster_id, p.agency_id INTO v_cluster, v_agency FROM padu.programs p WHERE p.id = NEW.program_id;
    IF OLD.status = 'draft' AND NEW.status = 'submitted' THEN
        IF OLD.agency_id IS DISTINCT FROM padu.current_agency() THEN
            RAISE EXCEPTION 'only the owning agency submits its plan' USING ERRCODE = 'PD005';
        END IF;
        NEW.submitted_at := now();
    ELSIF OLD.status = 'submitted' AND NEW.status IN ('approved', 'rejected') THEN
        IF v_cluster IS NULL OR NOT padu.coordinates_program(v_cluster, v_agency) THEN
            RAISE EXCEPTION 'only the coordinator of the programme''s cluster in its regency decides'
                USING ERRCODE = 'PD005';
        END IF;
        NEW.decided_at := now();
        NEW.decided_by := padu.current_account();
    ELSE
        RAISE EXCEPTION 'a plan cannot go from % to %', OLD.status, NEW.status USING ERRCODE = 'PD005';
    END IF;
    RETURN NEW;
END
$$;

-- 4. Account scopes.
-- A scope lies in the deployment when it is within a regency that has agencies, or above one
-- (the province). Before any agency exists (the first admin), every known region does.
CREATE FUNCTION padu.in_deployment(p_scope text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT NOT EXISTS (SELECT 1 FROM padu.agencies WHERE regency_code IS NOT NULL)
        OR EXISTS (SELECT 1 FROM padu.agencies a
                    WHERE a.regency_code IS NOT NULL
                      AND (padu.in_scope(p_scope, a.regency_code) OR padu.in_scope(a.regency_code, p_scope)));
END;
GRANT EXECUTE ON FUNCTION padu.in_deployment(text) TO padu_admin, padu_executive;

CREATE FUNCTION padu.accounts_scope_in_deployment() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    v_home text;
BEGIN
    IF NOT padu.in_deployment(NEW.scope) THEN
        RAISE EXCEPTION 'scope % is not a region this deployment serves', NEW.scope
            USING ERRCODE = 'PD090', TABLE = 'accounts', COLUMN = 'scope';
    END IF;
    IF NEW.agency_id IS NOT NULL AND NEW.role IN ('agency', 'coordinator') THEN
        SELECT coalesce(a.regency_code, a.region_code) INTO v_home FROM padu.agencies a WHERE a.id = NEW.agency_id;
        IF NOT padu.in_scope(NEW.scope, v_home) THEN
            RAISE EXCEPTION 'an agency''s account is scoped within its agency''s regency %', v_home
                USING ERRCODE = 'PD090', TABLE = 'accounts', COLUMN = 'scope';
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- AFTER: row-level security (admin_scope) answers first.
CREATE TRIGGER accounts_scope_in_deployment AFTER INSERT OR UPDATE OF scope, agency_id, role ON padu.accounts
    FOR EACH ROW EXECUTE FUNCTION padu.accounts_scope_in_deployment();

-- 5. The roll-up of a province (or any scope holding regencies): one entry per regency of the
-- caller's scope that has agencies or registry households. A regency's budget is that of its
-- agencies; reach is located by the household's village, as in padu.summary. The province's
-- totals are the sum of these when every agency belongs to a regency.
CREATE FUNCTION padu.summary_by_regency(p_year int) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    v_scope text := padu.current_scope();
    result jsonb;
BEGIN
    IF v_scope IS NULL THEN
        RAISE EXCEPTION 'no scope' USING ERRCODE = '42501';
    END IF;
    IF length(v_scope) > 2 THEN
        RETURN '[]';
    END IF;
    WITH regencies AS (
        SELECT g.code::text AS code, g.name FROM padu.regions g
         WHERE g.level = 2 AND padu.in_scope(g.code, v_scope)
           AND (EXISTS (SELECT 1 FROM padu.agencies a WHERE a.regency_code = g.code)
                OR EXISTS (SELECT 1 FROM padu.summary_registry s
                            WHERE s.location >= g.code || '.' AND s.location < g.code || '/'))
    ), budget AS (
        SELECT a.regency_code::text AS code, sum(b.allocated_idr) AS allocated
          FROM padu.budget_allocations b JOIN padu.agencies a ON a.id = b.agency_id
         WHERE b.fiscal_year = p_year GROUP BY 1
    ), realized AS (
        SELECT a.regency_code::text AS code, sum(r.amount_idr) AS realized
          FROM padu.realizations r JOIN padu.agencies a ON a.id = r.agency_id
         WHERE r.fiscal_year = p_year AND NOT r.reversed GROUP BY 1
    ), reach AS (
        SELECT left(l.location, 5) AS code, sum(l.deliveries) AS deliveries, sum(l.households) AS households,
               sum(l.persons) AS persons
          FROM padu.summary_location l WHERE l.fiscal_year = p_year AND padu.in_scope(l.location, v_scope)
         GROUP BY 1
    ), registry AS (
        SELECT left(s.location, 5) AS code, sum(s.households) AS households
          FROM padu.summary_registry s WHERE padu.in_scope(s.location, v_scope) GROUP BY 1
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'regency_code', g.code, 'regency', g.name,
               'allocated_idr', coalesce(b.allocated, 0), 'realized_idr', coalesce(r.realized, 0),
               'realization_rate', CASE WHEN b.allocated > 0 THEN round(coalesce(r.realized, 0)::numeric / b.allocated, 4) END,
               'persons_reached', coalesce(x.persons, 0), 'households_reached', coalesce(x.households, 0),
               'deliveries', coalesce(x.deliveries, 0), 'registry_households', coalesce(h.households, 0))
               ORDER BY g.code), '[]')
      INTO result
      FROM regencies g
      LEFT JOIN budget b ON b.code = g.code
      LEFT JOIN realized r ON r.code = g.code
      LEFT JOIN reach x ON x.code = g.code
      LEFT JOIN registry h ON h.code = g.code;
    RETURN result;
END
$$;
REVOKE EXECUTE ON FUNCTION padu.summary_by_regency(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION padu.summary_by_regency(int) TO padu_executive, padu_admin, padu_coordinator;
