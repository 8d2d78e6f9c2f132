-- Two rules the API kept and the database did not:
-- 1. An agency sees a registry person or household once one of its plan lines or deliveries
--    names them (0008, own_recipients). The registry ids on those rows came from the server's
--    lookup, but an agency's own INSERT could name any person_id. Now the ids, when given,
--    must be the ones the registry has for the row's NIK or KK (padu.resolve_recipients, the
--    same lookup the API uses), checked once per statement.
-- 2. Only the cluster coordinator decides. The owning agency could insert lines already
--    approved, change a line's status while its plan waited for a decision, move lines between
--    plans, or insert a plan already approved. Now lines start pending, only the coordinator
--    of a submitted plan sets their status, a line's plan and recipient never change, and a
--    plan starts as a draft.
SET LOCAL ROLE padu_owner;

CREATE FUNCTION padu.recipient_ids_match() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    -- Set differences by position rather than a join, whose plan the estimates of a transition
    -- table and a function could turn quadratic on a bulk insert.
    IF EXISTS (
        WITH added AS MATERIALIZED (
            SELECT row_number() OVER () AS pos, nik::text AS nik, kk::text AS kk, person_id, household_id
              FROM added_rows WHERE person_id IS NOT NULL OR household_id IS NOT NULL
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
CREATE TRIGGER plan_lines_recipient_ids AFTER INSERT ON padu.plan_lines
    REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.recipient_ids_match();
CREATE TRIGGER deliveries_recipient_ids AFTER INSERT ON padu.deliveries
    REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.recipient_ids_match();

CREATE FUNCTION padu.plan_lines_keep_recipient() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'pending' OR NEW.rejection_reason IS NOT NULL THEN
            RAISE EXCEPTION 'a plan line starts pending: the coordinator decides it' USING ERRCODE = 'PD005';
        END IF;
    ELSIF (NEW.plan_id, NEW.program_id, NEW.fiscal_year, NEW.agency_id, NEW.line_no, NEW.nik, NEW.kk, NEW.person_id,
           NEW.household_id)
          IS DISTINCT FROM (OLD.plan_id, OLD.program_id, OLD.fiscal_year, OLD.agency_id, OLD.line_no, OLD.nik, OLD.kk,
                            OLD.person_id, OLD.household_id) THEN
        RAISE EXCEPTION 'a plan line keeps its plan and recipient' USING ERRCODE = 'PD005';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER plan_lines_keep_recipient BEFORE INSERT OR UPDATE ON padu.plan_lines
    FOR EACH ROW EXECUTE FUNCTION padu.plan_lines_keep_recipient();

-- Once per statement and plan (a decision updates thousands of lines of one plan).
CREATE FUNCTION padu.plan_lines_decided_by_coordinator() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF EXISTS (
        SELECT 1
          FROM (SELECT DISTINCT plan_id
                  FROM (SELECT id, plan_id, status, rejection_reason FROM new_rows
                        EXCEPT SELECT id, plan_id, status, rejection_reason FROM old_rows) changed) plans
         WHERE NOT padu.decidable_plan(plan_id)) THEN
        RAISE EXCEPTION 'only the coordinator of the programme''s cluster decides a plan line' USING ERRCODE = 'PD005';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER plan_lines_decided_by_coordinator AFTER UPDATE ON padu.plan_lines
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION padu.plan_lines_decided_by_coordinator();

CREATE FUNCTION padu.distribution_plans_start_as_draft() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF NEW.status <> 'draft' OR num_nonnulls(NEW.submitted_at, NEW.decided_at, NEW.decided_by) > 0 THEN
        RAISE EXCEPTION 'a plan starts as a draft' USING ERRCODE = 'PD005';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER distribution_plans_start_as_draft BEFORE INSERT ON padu.distribution_plans
    FOR EACH ROW EXECUTE FUNCTION padu.distribution_plans_start_as_draft();
