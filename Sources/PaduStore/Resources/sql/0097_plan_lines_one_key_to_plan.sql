-- Bulk loads (issue 14): a plan line's insert checked two foreign keys to its plan, per row:
-- (plan_id, program_id, fiscal_year) from 0006 and (plan_id, program_id, fiscal_year, agency_id)
-- from 0017. Every column is NOT NULL, so a line whose four keys name a plan also names it by
-- three, a plan whose three change changes the four, and both cascade a plan's delete: the
-- three-column key adds nothing once the four-column one holds for every row. It is dropped
-- only then (0017 left plan_lines_plan_agency unvalidated where old lines broke it).
SET LOCAL ROLE padu_owner;

DO $$
BEGIN
    IF (SELECT convalidated FROM pg_constraint
         WHERE conrelid = 'padu.plan_lines'::regclass AND conname = 'plan_lines_plan_agency') THEN
        ALTER TABLE padu.plan_lines DROP CONSTRAINT plan_lines_plan_id_program_id_fiscal_year_fkey;
    ELSE
        RAISE WARNING 'plan_lines_plan_agency is not validated: plan_lines keeps both foreign keys to its plan';
    END IF;
END
$$;
