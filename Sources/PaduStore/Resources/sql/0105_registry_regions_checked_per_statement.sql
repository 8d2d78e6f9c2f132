-- Registry import (issue 14): the registry's foreign keys to padu.regions checked once per
-- statement, as 0096 did for the deliveries. Measured (one import of 10,000 households, 39,964
-- persons, into 200,000 households; EXPLAIN ANALYZE of the persons INSERT as superuser): the
-- persons' two per-row keys to regions (persons_region_code_fkey, persons_nik_district_fkey)
-- took 0.48 s of its 1.9 s, 79,928 one-row queries, each locking a region row FOR KEY SHARE, for
-- a handful of distinct villages and districts; households_region_code_fkey one more per
-- household. The whole import with 0105-0106 (/tmp/imp.sh, 5 alternated runs, load 1 to 3):
-- 4.75 -> 4.31 s wall, 3.10 -> 2.63 s PostgreSQL CPU (medians; docs/deploy.md).
-- 1. The three keys become one check per statement over the transition table: every region a
--    statement writes exists, or the statement fails with the foreign key's SQLSTATE (23503),
--    constraint name and message. It is named to fire before the households' summary queue
--    triggers, as the foreign key's row triggers did.
-- 2. What the keys also did: refuse deleting a region that a person or household names, or
--    changing its code. Regions are reference data (the migrator only inserts them and renames
--    them); a trigger on regions now refuses both with the same code, after a SHARE lock on
--    persons and households, which waits for statements writing them now and holds back new
--    ones, so that none names the region unseen: the key's row lock did that. Regions keep
--    their other foreign keys (agencies, accounts, ...), so a truncate is still refused.
SET LOCAL ROLE padu_owner;

ALTER TABLE padu.persons DROP CONSTRAINT persons_region_code_fkey;
ALTER TABLE padu.persons DROP CONSTRAINT persons_nik_district_fkey;
ALTER TABLE padu.households DROP CONSTRAINT households_region_code_fkey;

CREATE FUNCTION padu.registry_regions_exist() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    missing text;
BEGIN
    SELECT x.code INTO missing
      FROM (SELECT DISTINCT region_code::text AS code FROM new_rows WHERE region_code IS NOT NULL) x
     WHERE NOT EXISTS (SELECT 1 FROM padu.regions g WHERE g.code = x.code)
     ORDER BY 1
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"',
            TG_TABLE_NAME, TG_TABLE_NAME || '_region_code_fkey'
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                  CONSTRAINT = TG_TABLE_NAME || '_region_code_fkey',
                  DETAIL = format('Key (region_code)=(%s) is not present in table "regions".', missing);
    END IF;
    IF TG_TABLE_NAME = 'persons' THEN
        SELECT x.code INTO missing
          FROM (SELECT DISTINCT nik_district::text AS code FROM new_rows) x
         WHERE NOT EXISTS (SELECT 1 FROM padu.regions g WHERE g.code = x.code)
         ORDER BY 1
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'insert or update on table "persons" violates foreign key constraint "persons_nik_district_fkey"'
                USING ERRCODE = 'foreign_key_violation', TABLE = 'persons', CONSTRAINT = 'persons_nik_district_fkey',
                      DETAIL = format('Key (nik_district)=(%s) is not present in table "regions".', missing);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER persons_keys_insert AFTER INSERT ON padu.persons
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.registry_regions_exist();
CREATE TRIGGER persons_keys_update AFTER UPDATE ON padu.persons
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.registry_regions_exist();
CREATE TRIGGER households_keys_insert AFTER INSERT ON padu.households
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.registry_regions_exist();
CREATE TRIGGER households_keys_update AFTER UPDATE ON padu.households
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.registry_regions_exist();

-- A region that a person or household names keeps its code and is not deleted.
CREATE FUNCTION padu.registry_regions_kept() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    key_name text;
    child text;
BEGIN
    -- Persons and households being written now commit (or not) first; new ones wait.
    LOCK TABLE padu.persons, padu.households IN SHARE MODE;
    IF EXISTS (SELECT 1 FROM padu.persons p WHERE p.region_code = OLD.code) THEN
        key_name := 'persons_region_code_fkey';
        child := 'persons';
    ELSIF EXISTS (SELECT 1 FROM padu.persons p WHERE p.nik_district = OLD.code) THEN
        key_name := 'persons_nik_district_fkey';
        child := 'persons';
    ELSIF EXISTS (SELECT 1 FROM padu.households h WHERE h.region_code = OLD.code) THEN
        key_name := 'households_region_code_fkey';
        child := 'households';
    END IF;
    IF key_name IS NOT NULL THEN
        RAISE EXCEPTION 'update or delete on table "regions" violates foreign key constraint "%" on table "%"',
            key_name, child
            USING ERRCODE = 'foreign_key_violation', TABLE = 'regions', CONSTRAINT = key_name,
                  DETAIL = format('Key (code)=(%s) is still referenced from table "%s".', OLD.code, child);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER regions_registry_delete BEFORE DELETE ON padu.regions
    FOR EACH ROW EXECUTE FUNCTION padu.registry_regions_kept();
CREATE TRIGGER regions_registry_key BEFORE UPDATE OF code ON padu.regions
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION padu.registry_regions_kept();
