-- Who may touch what: grants per role, then row-level security. The API checks roles per
-- route too; this is the layer an API bug cannot get around.
SET LOCAL ROLE padu_owner;

-- padu_api itself may only sign in and authenticate; everything else happens after SET ROLE.
GRANT EXECUTE ON FUNCTION padu.login_candidate(text), padu.login_failures_recent(text[], interval),
    padu.login_failed(text[]), padu.login_succeeded(bigint, bytea, interval, text), padu.authenticate(bytea)
    TO padu_api;
GRANT EXECUTE ON FUNCTION padu.ensure_period(text) TO padu_agency, padu_coordinator, padu_admin;
GRANT EXECUTE ON FUNCTION padu.find_possible_duplicates(bigint[]) TO padu_coordinator;
GRANT EXECUTE ON FUNCTION padu.logout(bytea), padu.audit(text, text, text, jsonb)
    TO padu_agency, padu_coordinator, padu_executive, padu_admin;

-- Reference data: everyone reads; the admin maintains agencies, clusters and periods.
GRANT SELECT ON padu.regions, padu.agencies, padu.clusters, padu.cluster_members, padu.funding_sources,
    padu.reporting_periods TO padu_agency, padu_coordinator, padu_executive, padu_admin;
GRANT INSERT (code, name, short_name, kind, region_code), UPDATE (name, short_name, kind, region_code)
    ON padu.agencies TO padu_admin;
GRANT UPDATE (coordinator_agency_id) ON padu.clusters TO padu_admin;
GRANT INSERT, UPDATE, DELETE ON padu.cluster_members TO padu_admin;
GRANT INSERT, UPDATE (status, closed_at) ON padu.reporting_periods TO padu_admin;

-- Agency-owned records. An agency (and the coordinator, for its own agency) writes its own;
-- the admin and the executive read those of agencies in their scope.
GRANT SELECT, INSERT (code, name, cluster_id, aid_kind, target, unit), UPDATE (code, name, cluster_id, aid_kind,
    target, unit) ON padu.programs TO padu_agency, padu_coordinator;
GRANT SELECT, UPDATE (requires_coordination) ON padu.programs TO padu_admin;
GRANT SELECT ON padu.programs TO padu_executive;
GRANT SELECT, INSERT, UPDATE, DELETE ON padu.budget_allocations, padu.realizations, padu.progress_reports
    TO padu_agency, padu_coordinator;
GRANT SELECT ON padu.budget_allocations, padu.realizations, padu.progress_reports TO padu_admin, padu_executive;

-- Agencies of the caller's scope, for the scope policies below.
CREATE FUNCTION padu.agencies_in_scope() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT coalesce(array_agg(id), '{}') FROM padu.agencies
         WHERE padu.in_scope(region_code, padu.current_scope()));
GRANT EXECUTE ON FUNCTION padu.agencies_in_scope() TO padu_agency, padu_coordinator, padu_executive, padu_admin;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['programs', 'budget_allocations', 'realizations', 'progress_reports'] LOOP
        EXECUTE format('ALTER TABLE padu.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY own_agency ON padu.%I TO padu_agency, padu_coordinator
                        USING (agency_id = (SELECT padu.current_agency()))
                        WITH CHECK (agency_id = (SELECT padu.current_agency()))', t);
        EXECUTE format('CREATE POLICY scope_read ON padu.%I FOR SELECT TO padu_admin, padu_executive
                        USING (agency_id = ANY ((SELECT padu.agencies_in_scope())::bigint[]))', t);
    END LOOP;
END
$$;
-- The coordinator reads the programmes of the clusters it coordinates (to decide their plans).
CREATE POLICY coordinated_read ON padu.programs FOR SELECT TO padu_coordinator
    USING (cluster_id = ANY ((SELECT padu.coordinated_clusters())::smallint[]));
-- The admin may only switch coordination on or off, in its scope.
CREATE POLICY admin_update ON padu.programs FOR UPDATE TO padu_admin
    USING (agency_id = ANY ((SELECT padu.agencies_in_scope())::bigint[]));

-- The registry: personal data. The coordinator maintains it within its region scope.
GRANT SELECT, INSERT, UPDATE ON padu.households, padu.household_kk, padu.persons, padu.household_members,
    padu.registry_entries TO padu_coordinator;
-- The import allocates ids up front to insert households and persons set-based.
GRANT USAGE ON SEQUENCE padu.households_id_seq, padu.persons_id_seq TO padu_coordinator;
GRANT SELECT (id, nik, name, birth_date, sex, region_code) ON padu.persons TO padu_agency;
GRANT SELECT (id, region_code, address, decile) ON padu.households TO padu_agency;

ALTER TABLE padu.households ENABLE ROW LEVEL SECURITY;
ALTER TABLE padu.household_kk ENABLE ROW LEVEL SECURITY;
ALTER TABLE padu.persons ENABLE ROW LEVEL SECURITY;
ALTER TABLE padu.household_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE padu.registry_entries ENABLE ROW LEVEL SECURITY;

CREATE POLICY coordinator_scope ON padu.households TO padu_coordinator
    USING (padu.in_scope(region_code, (SELECT padu.current_scope())))
    WITH CHECK (padu.in_scope(region_code, (SELECT padu.current_scope())));
CREATE POLICY coordinator_scope ON padu.persons TO padu_coordinator
    USING (region_code IS NULL OR padu.in_scope(region_code, (SELECT padu.current_scope())))
    WITH CHECK (region_code IS NULL OR padu.in_scope(region_code, (SELECT padu.current_scope())));
CREATE POLICY coordinator_scope ON padu.household_kk TO padu_coordinator
    USING (EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id))
    WITH CHECK (EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id));
CREATE POLICY coordinator_scope ON padu.household_members TO padu_coordinator
    USING (EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id))
    WITH CHECK (EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id));
CREATE POLICY coordinator_scope ON padu.registry_entries TO padu_coordinator
    USING (EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id))
    WITH CHECK (EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id));
-- An agency sees a person or household only once it has planned or delivered aid to them.
CREATE POLICY own_recipients ON padu.persons FOR SELECT TO padu_agency
    USING (EXISTS (SELECT 1 FROM padu.plan_lines l WHERE l.person_id = persons.id)
           OR EXISTS (SELECT 1 FROM padu.deliveries d WHERE d.person_id = persons.id));
CREATE POLICY own_recipients ON padu.households FOR SELECT TO padu_agency
    USING (EXISTS (SELECT 1 FROM padu.plan_lines l WHERE l.household_id = households.id)
           OR EXISTS (SELECT 1 FROM padu.deliveries d WHERE d.household_id = households.id));

-- Plans, lines, decisions, deliveries: the owning agency; the cluster coordinator reads and
-- decides submitted plans of the clusters it coordinates.
GRANT SELECT, INSERT, UPDATE, DELETE ON padu.distribution_plans, padu.plan_lines TO padu_agency, padu_coordinator;
GRANT SELECT, INSERT ON padu.plan_decisions, padu.deliveries TO padu_agency, padu_coordinator;

ALTER TABLE padu.distribution_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE padu.plan_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE padu.plan_decisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE padu.deliveries ENABLE ROW LEVEL SECURITY;

CREATE POLICY own_agency ON padu.distribution_plans TO padu_agency, padu_coordinator
    USING (agency_id = (SELECT padu.current_agency()))
    WITH CHECK (agency_id = (SELECT padu.current_agency()));
CREATE POLICY own_agency ON padu.plan_lines TO padu_agency, padu_coordinator
    USING (agency_id = (SELECT padu.current_agency()))
    WITH CHECK (agency_id = (SELECT padu.current_agency()));
CREATE POLICY own_agency ON padu.deliveries TO padu_agency, padu_coordinator
    USING (agency_id = (SELECT padu.current_agency()))
    WITH CHECK (agency_id = (SELECT padu.current_agency()));

-- Plans of the clusters the caller coordinates, once submitted.
CREATE FUNCTION padu.decidable_plan(p_plan_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT EXISTS (
        SELECT 1 FROM padu.distribution_plans p JOIN padu.programs g ON g.id = p.program_id
         WHERE p.id = p_plan_id AND p.status <> 'draft' AND g.cluster_id = ANY (padu.coordinated_clusters()));
END;
GRANT EXECUTE ON FUNCTION padu.decidable_plan(bigint) TO padu_coordinator;

CREATE POLICY coordinator_decides ON padu.distribution_plans TO padu_coordinator
    USING (status <> 'draft' AND program_id IN (
        SELECT id FROM padu.programs WHERE cluster_id = ANY ((SELECT padu.coordinated_clusters())::smallint[])))
    WITH CHECK (status <> 'draft' AND program_id IN (
        SELECT id FROM padu.programs WHERE cluster_id = ANY ((SELECT padu.coordinated_clusters())::smallint[])));
-- Lines follow their plan's visibility (own plans and decidable ones).
CREATE POLICY coordinator_decides ON padu.plan_lines TO padu_coordinator
    USING (plan_id IN (SELECT id FROM padu.distribution_plans))
    WITH CHECK (plan_id IN (SELECT id FROM padu.distribution_plans));
CREATE POLICY own_or_decided ON padu.plan_decisions TO padu_agency, padu_coordinator
    USING (agency_id = (SELECT padu.current_agency())
           OR EXISTS (SELECT 1 FROM padu.distribution_plans p WHERE p.id = plan_id))
    WITH CHECK (agency_id = (SELECT padu.current_agency()) AND padu.decidable_plan(plan_id));

GRANT SELECT, UPDATE (status, decided_by, decided_at) ON padu.possible_duplicates TO padu_coordinator;
ALTER TABLE padu.possible_duplicates ENABLE ROW LEVEL SECURITY;
CREATE POLICY coordinator_scope ON padu.possible_duplicates TO padu_coordinator
    USING (padu.in_scope(region_code, (SELECT padu.current_scope())))
    WITH CHECK (padu.in_scope(region_code, (SELECT padu.current_scope())));

-- Accounts: the admin manages those in its scope; nobody reads password hashes back.
GRANT SELECT (id, username, role, agency_id, scope, active, created_at, updated_at),
    INSERT (username, password_hash, role, agency_id, scope),
    UPDATE (active, password_hash, role, agency_id, scope) ON padu.accounts TO padu_admin;
ALTER TABLE padu.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_scope ON padu.accounts TO padu_admin
    USING (padu.in_scope(scope, (SELECT padu.current_scope())))
    WITH CHECK (padu.in_scope(scope, (SELECT padu.current_scope())));

-- Idempotency records belong to the account that made them.
GRANT SELECT, INSERT, UPDATE (status_code, response_body) ON padu.idempotency_keys
    TO padu_agency, padu_coordinator, padu_executive, padu_admin;
ALTER TABLE padu.idempotency_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_account ON padu.idempotency_keys
    USING (account_id = (SELECT padu.current_account()))
    WITH CHECK (account_id = (SELECT padu.current_account()));

-- The audit log: written only through padu.audit(); the admin reads it.
GRANT SELECT ON padu.audit_log TO padu_admin;
