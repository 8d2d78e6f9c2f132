-- Bulk loads (issue 14): the last per-row foreign key of a delivery, to its plan line with the
-- line's programme and year, checked once per statement like the others (0096), with the key's
-- SQLSTATE, constraint name and message.
-- A line can be deleted or re-keyed (its id reset) while its plan is a draft, and a delivery of a
-- programme without coordination may name such a line. As the foreign key did, the check first
-- locks the statement's lines FOR KEY SHARE (one locking read, in id order): a delete or key
-- change of one of them waits for the delivering transaction, and a trigger on plan_lines then
-- refuses it while a delivery names the line; a line deleted before the lock is not found.
SET LOCAL ROLE padu_owner;

ALTER TABLE padu.deliveries DROP CONSTRAINT deliveries_plan_line_id_program_id_fiscal_year_fkey;

CREATE OR REPLACE FUNCTION padu.deliveries_keys_exist() RETURNS trigger
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
    PERFORM 1 FROM padu.plan_lines l
     WHERE l.id IN (SELECT DISTINCT plan_line_id FROM new_rows WHERE plan_line_id IS NOT NULL)
     ORDER BY l.id
       FOR KEY SHARE OF l;
    SELECT x.plan_line_id, x.program_id, x.fiscal_year INTO missing
      FROM (SELECT DISTINCT plan_line_id, program_id, fiscal_year FROM new_rows WHERE plan_line_id IS NOT NULL) x
     WHERE NOT EXISTS (SELECT 1 FROM padu.plan_lines l
                        WHERE l.id = x.plan_line_id AND l.program_id = x.program_id AND l.fiscal_year = x.fiscal_year)
     ORDER BY 1, 2, 3
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "deliveries" violates foreign key constraint "deliveries_plan_line_id_program_id_fiscal_year_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'deliveries',
                  CONSTRAINT = 'deliveries_plan_line_id_program_id_fiscal_year_fkey',
                  DETAIL = format('Key (plan_line_id, program_id, fiscal_year)=(%s, %s, %s) is not present in table "plan_lines".',
                                  missing.plan_line_id, missing.program_id, missing.fiscal_year);
    END IF;
    RETURN NULL;
END
$$;

-- A line that a delivery names is neither deleted nor re-keyed. Named to fire after
-- plan_lines_guard and plan_lines_keep_recipient (PD005 for a line that may not change at all).
-- No table lock: the delivering statement holds its lines' row locks until it commits, and this
-- trigger runs once the delete or update holds the row.
CREATE FUNCTION padu.plan_lines_kept_for_deliveries() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM padu.deliveries d
                WHERE d.plan_line_id = OLD.id AND d.program_id = OLD.program_id AND d.fiscal_year = OLD.fiscal_year) THEN
        RAISE EXCEPTION 'update or delete on table "plan_lines" violates foreign key constraint "deliveries_plan_line_id_program_id_fiscal_year_fkey" on table "deliveries"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'plan_lines',
                  CONSTRAINT = 'deliveries_plan_line_id_program_id_fiscal_year_fkey',
                  DETAIL = format('Key (id, program_id, fiscal_year)=(%s, %s, %s) is still referenced from table "deliveries".',
                                  OLD.id, OLD.program_id, OLD.fiscal_year);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER plan_lines_kept_for_deliveries_delete BEFORE DELETE ON padu.plan_lines
    FOR EACH ROW EXECUTE FUNCTION padu.plan_lines_kept_for_deliveries();
CREATE TRIGGER plan_lines_kept_for_deliveries_key BEFORE UPDATE OF id, program_id, fiscal_year ON padu.plan_lines
    FOR EACH ROW WHEN ((OLD.id, OLD.program_id, OLD.fiscal_year) IS DISTINCT FROM (NEW.id, NEW.program_id, NEW.fiscal_year))
    EXECUTE FUNCTION padu.plan_lines_kept_for_deliveries();
