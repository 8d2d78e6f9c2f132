-- Coordinator rights come from the agency that coordinates a cluster, not from the role name.
-- Until now the registry policies for padu_coordinator looked only at the role and the region
-- scope: an admin who made a coordinator account for an agency that coordinates nothing (or
-- changed an agency account's role to coordinator) gave that agency the whole registry.
-- Now every coordinator policy on personal data also requires that the caller's agency is
-- clusters.coordinator_agency_id of some cluster; a coordinator-role account of any other
-- agency sees, like an agency account, only its own recipients. Deciding plans already went by
-- padu.coordinated_clusters() (the agency), and still does.
-- And the admin can no longer choose which agency coordinates a cluster (the API never did:
-- only the seeder and the operator, as the database owner, set coordinator_agency_id), so an
-- admin cannot give personal-data access to any other agency.
SET LOCAL ROLE padu_owner;

-- Whether the caller's agency coordinates at least one cluster.
CREATE FUNCTION padu.coordinates_a_cluster() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cardinality(padu.coordinated_clusters()) > 0;
GRANT EXECUTE ON FUNCTION padu.coordinates_a_cluster() TO padu_agency, padu_coordinator, padu_executive, padu_admin;

ALTER POLICY coordinator_scope ON padu.households
    USING ((SELECT padu.coordinates_a_cluster()) AND padu.in_scope(region_code, (SELECT padu.current_scope())))
    WITH CHECK ((SELECT padu.coordinates_a_cluster()) AND padu.in_scope(region_code, (SELECT padu.current_scope())));
ALTER POLICY coordinator_scope ON padu.persons
    USING ((SELECT padu.coordinates_a_cluster())
           AND (region_code IS NULL OR padu.in_scope(region_code, (SELECT padu.current_scope()))))
    WITH CHECK ((SELECT padu.coordinates_a_cluster())
                AND (region_code IS NULL OR padu.in_scope(region_code, (SELECT padu.current_scope()))));
-- household_kk, household_members and registry_entries follow the households policy (EXISTS on
-- padu.households, evaluated under the caller's policies); say it outright all the same.
ALTER POLICY coordinator_scope ON padu.household_kk
    USING ((SELECT padu.coordinates_a_cluster()) AND EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id))
    WITH CHECK ((SELECT padu.coordinates_a_cluster())
                AND EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id));
ALTER POLICY coordinator_scope ON padu.household_members
    USING ((SELECT padu.coordinates_a_cluster()) AND EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id))
    WITH CHECK ((SELECT padu.coordinates_a_cluster())
                AND EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id));
ALTER POLICY coordinator_scope ON padu.registry_entries
    USING ((SELECT padu.coordinates_a_cluster()) AND EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id))
    WITH CHECK ((SELECT padu.coordinates_a_cluster())
                AND EXISTS (SELECT 1 FROM padu.households h WHERE h.id = household_id));
ALTER POLICY coordinator_scope ON padu.possible_duplicates
    USING ((SELECT padu.coordinates_a_cluster()) AND padu.in_scope(region_code, (SELECT padu.current_scope())))
    WITH CHECK ((SELECT padu.coordinates_a_cluster()) AND padu.in_scope(region_code, (SELECT padu.current_scope())));

-- A coordinator-role account of an agency that coordinates nothing keeps what an agency has:
-- the persons and households its own plan lines and deliveries name.
ALTER POLICY own_recipients ON padu.persons TO padu_agency, padu_coordinator;
ALTER POLICY own_recipients ON padu.households TO padu_agency, padu_coordinator;

-- Duplicate detection writes registry-wide pairs: only a coordinating agency runs it.
CREATE OR REPLACE FUNCTION padu.find_possible_duplicates(p_person_ids bigint[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu, extensions AS $$
DECLARE
    found bigint;
BEGIN
    IF NOT padu.coordinates_a_cluster() THEN
        RAISE EXCEPTION 'only the agency that coordinates a cluster maintains the registry' USING ERRCODE = '42501';
    END IF;
    WITH candidates AS (
        SELECT least(p.id, q.id) AS a, greatest(p.id, q.id) AS b, p.region_code,
               extensions.similarity(p.name, q.name) AS score
          FROM padu.persons p
          JOIN padu.persons q ON q.birth_date = p.birth_date
                             AND substr(q.region_code, 1, 8) = substr(p.region_code, 1, 8)
                             AND q.id <> p.id
         WHERE p.id = ANY (p_person_ids) AND p.region_code IS NOT NULL
           AND extensions.similarity(p.name, q.name) >= 0.5
    ), inserted AS (
        INSERT INTO padu.possible_duplicates (person_a, person_b, region_code, similarity)
        SELECT DISTINCT ON (a, b) a, b, region_code, score FROM candidates
        ON CONFLICT DO NOTHING RETURNING 1
    )
    SELECT count(*) INTO found FROM inserted;
    RETURN found;
END
$$;

-- Which agency coordinates a cluster is the operator's decision (padu_owner / the migrating
-- superuser), not the admin's.
REVOKE UPDATE (coordinator_agency_id) ON padu.clusters FROM padu_admin;
REVOKE UPDATE ON padu.clusters FROM padu_admin;
