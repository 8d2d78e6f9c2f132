-- Bulk loads (issue 14): a million deliveries under a minute. The profile of one programme's
-- load (docs/deploy.md) showed a delivery's remaining per-row work: four foreign-key checks
-- (person, household, programme+agency, plan line), each a query and a row lock on the parent
-- per delivery, about half of the insert's time. The same rules, once per statement:
-- 1. The foreign keys to persons, households and programmes become one check per statement over
--    the transition table: every key a statement writes exists, or the statement fails with the
--    foreign key's own SQLSTATE (23503), constraint name and message, so that callers see what
--    they saw. It fires before the coordination rule (PD002), as the foreign keys did.
--    The foreign key to the plan line stays (a line can be deleted while its plan is a draft).
-- 2. What the foreign keys also did: refuse deleting a person, household or programme that a
--    delivery names, or changing its key. Nothing in Padu does either (only padu_owner may
--    delete them; a coordinator could reset a registry id), and now a trigger on each parent
--    refuses it with the same code. It first takes a SHARE lock on padu.deliveries, which waits
--    for statements writing deliveries now and holds back new ones, so that none names the row
--    unseen: the foreign key's row lock did that.
-- 3. The registry ids (PD006, 0014) are resolved once per distinct recipient and ids of the
--    statement instead of once per row (a plan line's deliveries repeat its recipient).
-- 4. The summary's cells of a set of deliveries (0046) are found once per distinct household
--    (or programme and person, for deliveries without a household) and year, not once per row.
SET LOCAL ROLE padu_owner;

ALTER TABLE padu.deliveries DROP CONSTRAINT deliveries_person_id_fkey;
ALTER TABLE padu.deliveries DROP CONSTRAINT deliveries_household_id_fkey;
ALTER TABLE padu.deliveries DROP CONSTRAINT deliveries_program_id_agency_id_fkey;

CREATE FUNCTION padu.deliveries_keys_exist() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    missing record;
BEGIN
    SELECT x.program_id, x.agency_id INTO missing
      FROM (SELECT DISTINCT program_id, agency_id FROM new_rows) x
     WHERE NOT EXISTS (SELECT 1 FROM padu.programs p WHERE p.id = x.program_id AND p.agency_id = x.agency_id)
     ORDER BY 1, 2
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "deliveries" violates foreign key constraint "deliveries_program_id_agency_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'deliveries',
                  CONSTRAINT = 'deliveries_program_id_agency_id_fkey',
                  DETAIL = format('Key (program_id, agency_id)=(%s, %s) is not present in table "programs".',
                                  missing.program_id, missing.agency_id);
    END IF;
    SELECT x.person_id INTO missing
      FROM (SELECT DISTINCT person_id FROM new_rows WHERE person_id IS NOT NULL) x
     WHERE NOT EXISTS (SELECT 1 FROM padu.persons p WHERE p.id = x.person_id)
     ORDER BY 1
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "deliveries" violates foreign key constraint "deliveries_person_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'deliveries', CONSTRAINT = 'deliveries_person_id_fkey',
                  DETAIL = format('Key (person_id)=(%s) is not present in table "persons".', missing.person_id);
    END IF;
    SELECT x.household_id INTO missing
      FROM (SELECT DISTINCT household_id FROM new_rows WHERE household_id IS NOT NULL) x
     WHERE NOT EXISTS (SELECT 1 FROM padu.households h WHERE h.id = x.household_id)
     ORDER BY 1
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "deliveries" violates foreign key constraint "deliveries_household_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'deliveries', CONSTRAINT = 'deliveries_household_id_fkey',
                  DETAIL = format('Key (household_id)=(%s) is not present in table "households".', missing.household_id);
    END IF;
    RETURN NULL;
END
$$;
-- Triggers of one event fire by name: "deliveries_keys_" before "deliveries_plan_required_"
-- (PD002), "deliveries_recipient_ids" (PD006) and the bounds (PD007).
CREATE TRIGGER deliveries_keys_insert AFTER INSERT ON padu.deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.deliveries_keys_exist();
CREATE TRIGGER deliveries_keys_update AFTER UPDATE ON padu.deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.deliveries_keys_exist();

-- A person, household or programme that a delivery names keeps its key and is not deleted.
CREATE FUNCTION padu.delivered_keys_kept() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    referenced boolean;
    key_name text;
    key_value text;
BEGIN
    -- Deliveries being written now commit (or not) first; new ones wait for this transaction.
    LOCK TABLE padu.deliveries IN SHARE MODE;
    IF TG_TABLE_NAME = 'persons' THEN
        referenced := EXISTS (SELECT 1 FROM padu.deliveries d WHERE d.person_id = OLD.id);
        key_name := 'deliveries_person_id_fkey';
        key_value := format('(id)=(%s)', OLD.id);
    ELSIF TG_TABLE_NAME = 'households' THEN
        referenced := EXISTS (SELECT 1 FROM padu.deliveries d WHERE d.household_id = OLD.id);
        key_name := 'deliveries_household_id_fkey';
        key_value := format('(id)=(%s)', OLD.id);
    ELSE
        referenced := EXISTS (SELECT 1 FROM padu.deliveries d WHERE d.program_id = OLD.id AND d.agency_id = OLD.agency_id);
        key_name := 'deliveries_program_id_agency_id_fkey';
        key_value := format('(id, agency_id)=(%s, %s)', OLD.id, OLD.agency_id);
    END IF;
    IF referenced THEN
        RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "deliveries"',
            TG_TABLE_NAME, key_name
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, CONSTRAINT = key_name,
                  DETAIL = format('Key %s is still referenced from table "deliveries".', key_value);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
-- Per row, as the foreign keys' own checks were: only a delete or a change of key fires them
-- (UPDATE OF fires only when the statement sets the key; WHEN only when it changes).
CREATE TRIGGER persons_delivered_delete BEFORE DELETE ON padu.persons
    FOR EACH ROW EXECUTE FUNCTION padu.delivered_keys_kept();
CREATE TRIGGER persons_delivered_key BEFORE UPDATE OF id ON padu.persons
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION padu.delivered_keys_kept();
CREATE TRIGGER households_delivered_delete BEFORE DELETE ON padu.households
    FOR EACH ROW EXECUTE FUNCTION padu.delivered_keys_kept();
CREATE TRIGGER households_delivered_key BEFORE UPDATE OF id ON padu.households
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION padu.delivered_keys_kept();
CREATE TRIGGER programs_delivered_delete BEFORE DELETE ON padu.programs
    FOR EACH ROW EXECUTE FUNCTION padu.delivered_keys_kept();
CREATE TRIGGER programs_delivered_key BEFORE UPDATE OF id, agency_id ON padu.programs
    FOR EACH ROW WHEN ((OLD.id, OLD.agency_id) IS DISTINCT FROM (NEW.id, NEW.agency_id))
    EXECUTE FUNCTION padu.delivered_keys_kept();
-- A truncate of a parent is still refused by the foreign keys that other tables keep to it
-- (household_members, plan_lines, distribution_plans, ...).

-- The registry ids of 0014, once per distinct (NIK, KK, person, household) of the statement.
CREATE OR REPLACE FUNCTION padu.recipient_ids_match() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    -- Set differences by position rather than a join, whose plan the estimates of a transition
    -- table and a function could turn quadratic on a bulk insert.
    IF EXISTS (
        WITH added AS MATERIALIZED (
            SELECT row_number() OVER () AS pos, r.nik, r.kk, r.person_id, r.household_id
              FROM (SELECT DISTINCT nik::text AS nik, kk::text AS kk, person_id, household_id
                      FROM added_rows WHERE person_id IS NOT NULL OR household_id IS NOT NULL) r
        ), registry AS MATERIALIZED (
            SELECT r.pos::bigint AS pos, r.person_id, r.household_id
              FROM padu.resolve_recipients(
                       ARRAY(SELECT coalesce(nik, kk) FROM added ORDER BY pos),
                       ARRAY(SELECT CASE WHEN nik IS NOT NULL THEN 'nik' ELSE 'kk' END FROM added ORDER BY pos)) r
        )
        (SELECT pos, person_id FROM added WHERE person_id IS NOT NULL
         EXCEPT SELECT pos, person_id FROM registry)
        UNION ALL
        (SELECT pos, household_id FROM added WHERE household_id IS NOT NULL
         EXCEPT SELECT pos, household_id FROM registry)) THEN
        RAISE EXCEPTION 'registry ids must be those of the row''s NIK or KK' USING ERRCODE = 'PD006', TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END
$$;

-- The cells of 0046, from the distinct households and years (a delivery with a household is
-- placed in its household's region), and the distinct programmes, persons and years of the
-- deliveries without one (the person's current household, else the agency's region).
CREATE OR REPLACE FUNCTION padu.summary_cells_of_deliveries(p_years smallint[], p_programs bigint[],
                                                            p_households bigint[], p_persons bigint[])
RETURNS TABLE (fiscal_year smallint, location text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT x.y, h.region_code::text COLLATE "C"
      FROM (SELECT DISTINCT u.y, u.household_id
              FROM unnest(p_years, p_households) AS u(y, household_id)
             WHERE u.household_id IS NOT NULL) x
      JOIN padu.households h ON h.id = x.household_id
    UNION
    SELECT x.y, coalesce(h.region_code::text, g.region_code::text) COLLATE "C"
      FROM (SELECT DISTINCT u.y, u.program_id, u.person_id
              FROM unnest(p_years, p_programs, p_households, p_persons) AS u(y, program_id, household_id, person_id)
             WHERE u.household_id IS NULL) x
      JOIN padu.programs p ON p.id = x.program_id
      JOIN padu.agencies g ON g.id = p.agency_id
      LEFT JOIN padu.household_members m ON m.person_id = x.person_id AND m.valid_to IS NULL
      LEFT JOIN padu.households h ON h.id = m.household_id;
END;
