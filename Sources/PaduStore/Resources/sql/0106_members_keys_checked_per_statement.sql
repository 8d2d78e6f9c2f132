-- Registry import (issue 14): a membership's two foreign keys (to its person and to its
-- household, both ON DELETE CASCADE) checked once per statement, as 0096 did for the deliveries.
-- Measured (EXPLAIN ANALYZE, 40,000 memberships inserted into a registry of 200,000 households,
-- load 8): the insert's own work 0.32 s, household_members_household_id_fkey 0.36 s and
-- household_members_person_id_fkey 0.43 s (80,000 one-row queries, each locking its parent).
-- 1. The keys become one check per statement over the transition table: every household and
--    person a statement writes exists, or the statement fails with the foreign key's SQLSTATE
--    (23503), constraint name and message (the household first, as the keys fired). It is named
--    to fire before the memberships' summary queue triggers.
-- 2. What the keys also did, now triggers on the parents:
--    - deleting a person or a household deletes its memberships (the cascade), once per
--      statement;
--    - a person or household that a membership names keeps its id (refused, 23503);
--    - a delete first takes a SHARE ROW EXCLUSIVE lock on household_members: it waits for the
--      statements writing memberships now and holds back new ones until it commits, after which
--      their check no longer finds the deleted parent (the key's row lock on the parent did that).
--      Deleting persons or households is for padu_owner only (repairs), never the import.
--    A truncate of persons or households is still refused by the other keys that name them.
SET LOCAL ROLE padu_owner;

ALTER TABLE padu.household_members DROP CONSTRAINT household_members_household_id_fkey;
ALTER TABLE padu.household_members DROP CONSTRAINT household_members_person_id_fkey;

CREATE FUNCTION padu.household_members_keys_exist() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    missing bigint;
BEGIN
    -- Without DISTINCT (an import's 40,000 rows: the same time; a seed's 776,652 rows: 2.3 s
    -- instead of 3.5 s for the whole INSERT): one anti-join, the smallest missing key.
    SELECT min(n.household_id) INTO missing FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM padu.households h WHERE h.id = n.household_id);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "household_members" violates foreign key constraint "household_members_household_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'household_members',
                  CONSTRAINT = 'household_members_household_id_fkey',
                  DETAIL = format('Key (household_id)=(%s) is not present in table "households".', missing);
    END IF;
    SELECT min(n.person_id) INTO missing FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM padu.persons p WHERE p.id = n.person_id);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "household_members" violates foreign key constraint "household_members_person_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'household_members',
                  CONSTRAINT = 'household_members_person_id_fkey',
                  DETAIL = format('Key (person_id)=(%s) is not present in table "persons".', missing);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER household_members_keys_insert AFTER INSERT ON padu.household_members
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.household_members_keys_exist();
CREATE TRIGGER household_members_keys_update AFTER UPDATE ON padu.household_members
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.household_members_keys_exist();

-- Before a person or household is deleted: no membership is being written meanwhile.
CREATE FUNCTION padu.members_parent_lock() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    LOCK TABLE padu.household_members IN SHARE ROW EXCLUSIVE MODE;
    RETURN NULL;
END
$$;
CREATE TRIGGER persons_members_lock BEFORE DELETE ON padu.persons
    FOR EACH STATEMENT EXECUTE FUNCTION padu.members_parent_lock();
CREATE TRIGGER households_members_lock BEFORE DELETE ON padu.households
    FOR EACH STATEMENT EXECUTE FUNCTION padu.members_parent_lock();

-- The cascade: the memberships of the deleted persons or households go with them.
CREATE FUNCTION padu.members_cascade() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF TG_TABLE_NAME = 'persons' THEN
        DELETE FROM padu.household_members m WHERE m.person_id IN (SELECT id FROM old_rows);
    ELSE
        DELETE FROM padu.household_members m WHERE m.household_id IN (SELECT id FROM old_rows);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER persons_members_cascade AFTER DELETE ON padu.persons
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.members_cascade();
CREATE TRIGGER households_members_cascade AFTER DELETE ON padu.households
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.members_cascade();

-- A person or household that a membership names keeps its id.
CREATE FUNCTION padu.members_parent_key_kept() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    referenced boolean;
    key_name text;
BEGIN
    IF TG_TABLE_NAME = 'persons' THEN
        referenced := EXISTS (SELECT 1 FROM padu.household_members m WHERE m.person_id = OLD.id);
        key_name := 'household_members_person_id_fkey';
    ELSE
        referenced := EXISTS (SELECT 1 FROM padu.household_members m WHERE m.household_id = OLD.id);
        key_name := 'household_members_household_id_fkey';
    END IF;
    IF referenced THEN
        RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "household_members"',
            TG_TABLE_NAME, key_name
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, CONSTRAINT = key_name,
                  DETAIL = format('Key (id)=(%s) is still referenced from table "household_members".', OLD.id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER persons_members_key BEFORE UPDATE OF id ON padu.persons
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION padu.members_parent_key_kept();
CREATE TRIGGER households_members_key BEFORE UPDATE OF id ON padu.households
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION padu.members_parent_key_kept();
