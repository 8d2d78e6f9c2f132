-- Roles and database-level privileges. Runs as the migrating superuser; every later
-- migration runs as padu_owner, which owns every object of Padu.
--
--   padu_owner        owns the schema; never logs in
--   padu_api          the API's login: no superuser, no BYPASSRLS, NOINHERIT, so it holds no
--                     table privileges itself, only the right to SET ROLE to one of:
--   padu_agency       an agency (OPD) operator: its own agency's rows
--   padu_coordinator  a cluster coordinator (Dinsos for Klaster 1): the registry in its scope,
--                     submitted plans of the clusters it coordinates, and its own agency's rows
--   padu_executive    the regent's office: aggregates in its scope, never personal data
--   padu_admin        the TKPKD secretariat: agencies, clusters, accounts, periods; no personal data
--   padu_analyst      group of analysts' logins: read-only SQL on schema analytics

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['padu_owner', 'padu_agency', 'padu_coordinator', 'padu_executive',
                                'padu_admin', 'padu_analyst'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', name);
        END IF;
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'padu_api') THEN
        CREATE ROLE padu_api LOGIN NOINHERIT;
    END IF;
END
$$;

ALTER ROLE padu_api NOSUPERUSER NOBYPASSRLS NOINHERIT NOCREATEDB NOCREATEROLE NOREPLICATION;
ALTER ROLE padu_owner NOSUPERUSER NOBYPASSRLS NOLOGIN;
GRANT padu_agency, padu_coordinator, padu_executive, padu_admin TO padu_api;

DO $$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO padu_owner', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO padu_api, padu_analyst', current_database());
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO padu_coordinator', current_database());
END
$$;

CREATE SCHEMA IF NOT EXISTS padu AUTHORIZATION padu_owner;
CREATE SCHEMA IF NOT EXISTS analytics AUTHORIZATION padu_owner;
CREATE SCHEMA IF NOT EXISTS extensions;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA extensions FROM PUBLIC;
GRANT USAGE ON SCHEMA extensions TO padu_owner;
-- Trigram similarity for possible-duplicate persons (a trusted extension).
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;
