-- The summary kept fresh as writes happen (API v1.1 "Summary", freshness within 5 s), without
-- rebuilding it whole (~9 s at 200,000 households and 1,000,000 deliveries, every 30 s).
--
-- Every figure of summary_agency, summary_cluster and summary_location belongs to one cell
-- (fiscal year, location): a recipient lives in one location, so distinct counts (households,
-- persons, recipients, programmes per household) never span cells. A cell is recomputed from
-- its own deliveries exactly as the rebuild computes it, so after recomputing every cell a
-- write touched, the tables equal a rebuild.
-- 1. Writes name the cells they touch: statement-level triggers over transition tables (one
--    set-based INSERT per statement, never per row) append (fiscal_year, location) to
--    padu.summary_queue; (null, location) asks for the location's registry counts; '*' for
--    everything (a programme moved to another agency or cluster, an agency moved).
--    Deliveries, delivery reversals, households (region, decile: registry imports),
--    household members (whose household a person's delivery counts in) write to the queue.
--    Budgets and realisations are read live by padu.summary(), so they need no queue.
-- 2. padu.refresh_summary_if_changed(), which the server's refresher calls every second,
--    drains the queue: it deletes what it sees (rows of transactions still running stay for
--    the next tick) and recomputes those cells with later snapshots, so nothing is lost.
--    The queue is append-only with no unique key: a writer never waits for the drain.
-- 3. padu.refresh_summary() (the admin's) still rebuilds whole: the repair tool.
-- Reversed deliveries (0045) count nowhere.
SET LOCAL ROLE padu_owner;

CREATE TABLE padu.summary_queue (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fiscal_year smallint,
    location text COLLATE "C" NOT NULL
);
REVOKE ALL ON padu.summary_queue FROM PUBLIC;

-- Household-less deliveries (outside the registry, or a person without a household when
-- recorded) are found through this small index when their cells are recomputed.
CREATE INDEX deliveries_without_household ON padu.deliveries (fiscal_year, program_id) WHERE household_id IS NULL;

-- The cells of a set of deliveries, as the rebuild places them.
CREATE FUNCTION padu.summary_cells_of_deliveries(p_years smallint[], p_programs bigint[], p_households bigint[],
                                                 p_persons bigint[])
RETURNS TABLE (fiscal_year smallint, location text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT DISTINCT x.y, coalesce(h.region_code::text, g.region_code::text) COLLATE "C"
      FROM unnest(p_years, p_programs, p_households, p_persons) AS x(y, program_id, household_id, person_id)
      JOIN padu.programs p ON p.id = x.program_id
      JOIN padu.agencies g ON g.id = p.agency_id
      LEFT JOIN padu.household_members m ON x.household_id IS NULL AND m.person_id = x.person_id AND m.valid_to IS NULL
      LEFT JOIN padu.households h ON h.id = coalesce(x.household_id, m.household_id);
END;

CREATE FUNCTION padu.summary_queue_deliveries() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO padu.summary_queue (fiscal_year, location)
        SELECT c.fiscal_year, c.location FROM padu.summary_cells_of_deliveries(
            ARRAY(SELECT fiscal_year FROM new_rows), ARRAY(SELECT program_id FROM new_rows),
            ARRAY(SELECT household_id FROM new_rows), ARRAY(SELECT person_id FROM new_rows)) c;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO padu.summary_queue (fiscal_year, location)
        SELECT c.fiscal_year, c.location FROM padu.summary_cells_of_deliveries(
            ARRAY(SELECT fiscal_year FROM old_rows), ARRAY(SELECT program_id FROM old_rows),
            ARRAY(SELECT household_id FROM old_rows), ARRAY(SELECT person_id FROM old_rows)) c;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER deliveries_summary_insert AFTER INSERT ON padu.deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_queue_deliveries();
CREATE TRIGGER deliveries_summary_update AFTER UPDATE ON padu.deliveries
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_queue_deliveries();
CREATE TRIGGER deliveries_summary_delete AFTER DELETE ON padu.deliveries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_queue_deliveries();

CREATE FUNCTION padu.summary_queue_delivery_reversals() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    INSERT INTO padu.summary_queue (fiscal_year, location)
    SELECT c.fiscal_year, c.location
      FROM (SELECT array_agg(d.fiscal_year) AS y, array_agg(d.program_id) AS p, array_agg(d.household_id) AS h,
                   array_agg(d.person_id) AS n
              FROM padu.deliveries d WHERE d.id IN (SELECT delivery_id FROM changed_rows)) x,
           padu.summary_cells_of_deliveries(x.y, x.p, x.h, x.n) c;
    RETURN NULL;
END
$$;
CREATE TRIGGER delivery_reversals_summary_insert AFTER INSERT ON padu.delivery_reversals
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_queue_delivery_reversals();
CREATE TRIGGER delivery_reversals_summary_delete AFTER DELETE ON padu.delivery_reversals
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_queue_delivery_reversals();

-- A household that moves or whose decile changes: its registry counts, old and new, and the
-- cells of every delivery counted in it (by KK, or by a current member's NIK).
CREATE FUNCTION padu.summary_queue_changed_households(p_ids bigint[], p_regions text[], p_with_deliveries boolean)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    INSERT INTO padu.summary_queue (fiscal_year, location)
    WITH changed AS (SELECT DISTINCT x.id, x.region FROM unnest(p_ids, p_regions) AS x(id, region))
    SELECT NULL::smallint, region FROM (SELECT DISTINCT region FROM changed) r
    UNION
    SELECT d.fiscal_year, c.region
      FROM changed c JOIN padu.deliveries d ON d.household_id = c.id WHERE p_with_deliveries
    UNION
    SELECT d.fiscal_year, c.region
      FROM changed c
      JOIN padu.household_members m ON m.household_id = c.id AND m.valid_to IS NULL
      JOIN padu.deliveries d ON d.person_id = m.person_id AND d.household_id IS NULL
     WHERE p_with_deliveries;
END;

CREATE FUNCTION padu.summary_queue_households() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A new household has no deliveries yet: its registry counts only.
        PERFORM padu.summary_queue_changed_households(
            ARRAY(SELECT id FROM new_rows WHERE decile IS NOT NULL),
            ARRAY(SELECT region_code::text FROM new_rows WHERE decile IS NOT NULL), false);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM padu.summary_queue_changed_households(
            ARRAY(SELECT id FROM old_rows), ARRAY(SELECT region_code::text FROM old_rows), true);
    ELSE
        PERFORM padu.summary_queue_changed_households(x.ids, x.regions, true)
          FROM (SELECT array_agg(n.id) AS ids, array_agg(r.region) AS regions
                  FROM new_rows n JOIN old_rows o ON o.id = n.id,
                       LATERAL (VALUES (n.region_code::text), (o.region_code::text)) r(region)
                 WHERE (n.region_code, n.decile) IS DISTINCT FROM (o.region_code, o.decile)) x
         WHERE x.ids IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER households_summary_insert AFTER INSERT ON padu.households
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_queue_households();
CREATE TRIGGER households_summary_update AFTER UPDATE ON padu.households
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_queue_households();
CREATE TRIGGER households_summary_delete AFTER DELETE ON padu.households
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_queue_households();

-- A person joining or leaving a household moves the deliveries made to them without a
-- household: their cells in the old and the new household's location, and in the agency's.
CREATE FUNCTION padu.summary_queue_household_members() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO padu.summary_queue (fiscal_year, location)
        SELECT DISTINCT d.fiscal_year, r.region
          FROM new_rows m
          JOIN padu.deliveries d ON d.person_id = m.person_id AND d.household_id IS NULL
          JOIN padu.programs p ON p.id = d.program_id
          JOIN padu.agencies g ON g.id = p.agency_id
          JOIN padu.households h ON h.id = m.household_id,
               LATERAL (VALUES (h.region_code::text), (g.region_code::text)) r(region);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO padu.summary_queue (fiscal_year, location)
        SELECT DISTINCT d.fiscal_year, r.region
          FROM old_rows m
          JOIN padu.deliveries d ON d.person_id = m.person_id AND d.household_id IS NULL
          JOIN padu.programs p ON p.id = d.program_id
          JOIN padu.agencies g ON g.id = p.agency_id
          JOIN padu.households h ON h.id = m.household_id,
               LATERAL (VALUES (h.region_code::text), (g.region_code::text)) r(region);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER household_members_summary_insert AFTER INSERT ON padu.household_members
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_queue_household_members();
CREATE TRIGGER household_members_summary_update AFTER UPDATE ON padu.household_members
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_queue_household_members();
CREATE TRIGGER household_members_summary_delete AFTER DELETE ON padu.household_members
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.summary_queue_household_members();

-- A programme that changes agency or cluster, an agency that moves: everything.
CREATE FUNCTION padu.summary_queue_everything() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    INSERT INTO padu.summary_queue (fiscal_year, location) VALUES (NULL, '*');
    RETURN NULL;
END
$$;
CREATE TRIGGER programs_summary AFTER UPDATE OF agency_id, cluster_id ON padu.programs
    FOR EACH ROW WHEN ((NEW.agency_id, NEW.cluster_id) IS DISTINCT FROM (OLD.agency_id, OLD.cluster_id))
    EXECUTE FUNCTION padu.summary_queue_everything();
CREATE TRIGGER agencies_summary AFTER UPDATE OF region_code ON padu.agencies
    FOR EACH ROW WHEN (NEW.region_code IS DISTINCT FROM OLD.region_code)
    EXECUTE FUNCTION padu.summary_queue_everything();

-- Fills summary_agency, summary_cluster and summary_location from the temporary table
-- summary_base: the one place the figures are computed, for the rebuild and for the cells.
CREATE FUNCTION padu.summary_fill_from_base() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    INSERT INTO padu.summary_agency
    SELECT fiscal_year, location, agency_id, count(*), sum(value_idr), count(DISTINCT household_id), count(DISTINCT person)
      FROM pg_temp.summary_base GROUP BY fiscal_year, location, agency_id;

    INSERT INTO padu.summary_cluster
    SELECT fiscal_year, location, cluster_id, count(*), sum(value_idr), count(DISTINCT household_id), count(DISTINCT person)
      FROM pg_temp.summary_base GROUP BY fiscal_year, location, cluster_id;

    INSERT INTO padu.summary_location
    WITH per_recipient AS (
        SELECT fiscal_year, location, recipient, household_id, max(decile) AS decile,
               count(DISTINCT program_id) AS programmes
          FROM pg_temp.summary_base GROUP BY fiscal_year, location, recipient, household_id
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
          FROM pg_temp.summary_base GROUP BY fiscal_year, location
    )
    SELECT t.fiscal_year, t.location, t.deliveries, t.value_idr, t.households, t.persons, r.recipients, r.in_registry,
           r.decile_1_4, r.by_decile, r.overlap, r.decile_1_reached
      FROM totals t JOIN recipients r USING (fiscal_year, location);
END
$$;

-- The temporary table the fill reads, created once per session and emptied after each use.
CREATE FUNCTION padu.summary_base_table() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF to_regclass('pg_temp.summary_base') IS NULL THEN
        CREATE TEMP TABLE summary_base (
            fiscal_year smallint, program_id bigint, agency_id bigint, cluster_id smallint,
            location text COLLATE "C", household_id bigint, decile smallint, recipient text, person text,
            value_idr bigint);
    ELSE
        DELETE FROM pg_temp.summary_base;
    END IF;
END
$$;

-- The whole rebuild (the repair tool): everything, reversed deliveries excluded.
CREATE OR REPLACE FUNCTION padu.rebuild_summary() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu SET work_mem = '256MB' AS $$
DECLARE
    started timestamptz := clock_timestamp();
    elapsed bigint;
BEGIN
    PERFORM 1 FROM padu.locks WHERE name = 'refresh_summary' FOR UPDATE;
    -- Whatever the queue holds now is covered: the statements below see at least as much.
    DELETE FROM padu.summary_queue;
    PERFORM padu.summary_base_table();
    INSERT INTO pg_temp.summary_base
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
      LEFT JOIN padu.households h ON h.id = coalesce(d.household_id, m.household_id)
     WHERE NOT EXISTS (SELECT 1 FROM padu.delivery_reversals r WHERE r.delivery_id = d.id);

    DELETE FROM padu.summary_agency;
    DELETE FROM padu.summary_cluster;
    DELETE FROM padu.summary_location;
    PERFORM padu.summary_fill_from_base();
    DELETE FROM pg_temp.summary_base;

    DELETE FROM padu.summary_registry;
    INSERT INTO padu.summary_registry
    SELECT region_code, count(*), count(*) FILTER (WHERE decile = 1), count(*) FILTER (WHERE decile BETWEEN 1 AND 4)
      FROM padu.households WHERE decile IS NOT NULL GROUP BY region_code;

    elapsed := (extract(epoch FROM clock_timestamp() - started) * 1000)::bigint;
    UPDATE padu.summary_state SET as_of = started, refresh_ms = elapsed, signature = NULL;
    ANALYZE padu.summary_agency, padu.summary_cluster, padu.summary_location, padu.summary_registry;
    RETURN elapsed;
END
$$;

-- Recomputes the given cells (fiscal_year, location) and the registry counts of the given
-- locations, as the rebuild would compute them.
CREATE FUNCTION padu.recompute_summary_cells(p_years smallint[], p_locations text[], p_registry text[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu SET work_mem = '256MB' AS $$
BEGIN
    PERFORM padu.summary_base_table();
    INSERT INTO pg_temp.summary_base
    WITH cells AS MATERIALIZED (
        SELECT DISTINCT y AS fiscal_year, l COLLATE "C" AS location FROM unnest(p_years, p_locations) AS c(y, l)
    ), located AS (
        -- By the household recorded with the delivery (any delivery to a registry recipient).
        SELECT d.id, c.location, h.id AS household_id, h.decile
          FROM cells c
          JOIN padu.households h ON h.region_code = c.location
          JOIN padu.deliveries d ON d.household_id = h.id AND d.fiscal_year = c.fiscal_year
        UNION ALL
        -- Without one: the person's current household, else the agency's region.
        SELECT d.id, c.location, h.id, h.decile
          FROM padu.deliveries d
          JOIN padu.programs p ON p.id = d.program_id
          JOIN padu.agencies g ON g.id = p.agency_id
          LEFT JOIN padu.household_members m ON m.person_id = d.person_id AND m.valid_to IS NULL
          LEFT JOIN padu.households h ON h.id = m.household_id
          JOIN cells c ON c.fiscal_year = d.fiscal_year AND c.location = coalesce(h.region_code::text, g.region_code::text)
         WHERE d.household_id IS NULL AND d.fiscal_year = ANY (p_years)
    )
    SELECT d.fiscal_year, d.program_id, p.agency_id, p.cluster_id, x.location, x.household_id, x.decile,
           coalesce('h' || x.household_id, 'n' || d.nik, 'k' || d.kk),
           CASE WHEN d.person_id IS NOT NULL THEN 'p' || d.person_id WHEN d.nik IS NOT NULL THEN 'n' || d.nik END,
           d.value_idr
      FROM located x
      JOIN padu.deliveries d ON d.id = x.id
      JOIN padu.programs p ON p.id = d.program_id
     WHERE NOT EXISTS (SELECT 1 FROM padu.delivery_reversals r WHERE r.delivery_id = d.id);

    DELETE FROM padu.summary_agency s USING unnest(p_years, p_locations) AS c(y, l)
     WHERE s.fiscal_year = c.y AND s.location = c.l COLLATE "C";
    DELETE FROM padu.summary_cluster s USING unnest(p_years, p_locations) AS c(y, l)
     WHERE s.fiscal_year = c.y AND s.location = c.l COLLATE "C";
    DELETE FROM padu.summary_location s USING unnest(p_years, p_locations) AS c(y, l)
     WHERE s.fiscal_year = c.y AND s.location = c.l COLLATE "C";
    PERFORM padu.summary_fill_from_base();
    DELETE FROM pg_temp.summary_base;

    IF cardinality(p_registry) > 0 THEN
        DELETE FROM padu.summary_registry WHERE location = ANY (p_registry::text[] COLLATE "C");
        INSERT INTO padu.summary_registry
        SELECT region_code, count(*), count(*) FILTER (WHERE decile = 1), count(*) FILTER (WHERE decile BETWEEN 1 AND 4)
          FROM padu.households WHERE decile IS NOT NULL AND region_code = ANY (p_registry::text[] COLLATE "C")
         GROUP BY region_code;
    END IF;
END
$$;

-- The refresher's tick: drains the queue and recomputes what it names; a rebuild when the
-- summary was never computed or the queue asks for everything. Skips while another refresh
-- runs (the next tick drains). Returns the milliseconds spent, or null when nothing changed.
CREATE OR REPLACE FUNCTION padu.refresh_summary_if_changed() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    started timestamptz := clock_timestamp();
    years smallint[];
    locations text[];
    registry text[];
    everything boolean;
    elapsed bigint;
BEGIN
    PERFORM 1 FROM padu.locks WHERE name = 'refresh_summary' FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM padu.summary_state WHERE as_of IS NULL)
       OR EXISTS (SELECT 1 FROM padu.summary_queue WHERE location = '*') THEN
        RETURN padu.rebuild_summary();
    END IF;
    WITH drained AS (DELETE FROM padu.summary_queue RETURNING fiscal_year, location),
    cells AS (SELECT DISTINCT fiscal_year, location FROM drained WHERE fiscal_year IS NOT NULL),
    places AS (SELECT DISTINCT location FROM drained WHERE fiscal_year IS NULL)
    SELECT ARRAY(SELECT fiscal_year FROM cells ORDER BY 1, location), ARRAY(SELECT location FROM cells ORDER BY fiscal_year, 1),
           ARRAY(SELECT location FROM places), EXISTS (SELECT 1 FROM drained WHERE location = '*')
      INTO years, locations, registry, everything;
    IF everything THEN
        RETURN padu.rebuild_summary();
    END IF;
    IF cardinality(years) = 0 AND cardinality(registry) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM padu.recompute_summary_cells(years, locations, registry);
    elapsed := (extract(epoch FROM clock_timestamp() - started) * 1000)::bigint;
    UPDATE padu.summary_state SET as_of = started, refresh_ms = elapsed;
    RETURN elapsed;
END
$$;
