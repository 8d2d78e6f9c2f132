-- Plan lines and plan decisions, kept by the database whoever writes:
-- 1. A line belongs to its plan's agency. The key from plan_lines to distribution_plans omitted
--    the agency, so an agency could insert a line (its own agency_id) into another agency's
--    draft plan. The foreign key now includes agency_id.
-- 2. Only the decision changes a decided plan's decision fields. The owning agency could
--    rewrite decision_reason, decided_by and decided_at of its approved plan, and submitted_at
--    of its submitted one. Now decision_reason, decided_by and decided_at change only in the
--    statement that decides (submitted -> approved/rejected, by the coordinator, checked by
--    distribution_plans_transition), and submitted_at only when the plan is submitted.
-- 3. The coordinator decides lines, it does not edit them. Lines of a submitted plan could
--    have their flags and decile rewritten (by the coordinator of another agency's plan, or by
--    the owner while the plan waited). Now, once a plan is submitted, only a line's status and
--    rejection_reason change (and only by the coordinator: plan_lines_decided_by_coordinator,
--    0014); a draft's lines keep status pending (0014).
SET LOCAL ROLE padu_owner;

ALTER TABLE padu.distribution_plans
    ADD CONSTRAINT distribution_plans_id_program_year_agency UNIQUE (id, program_id, fiscal_year, agency_id);
-- NOT VALID, then validated below when the data allows: a database that already holds a line in
-- another agency's plan still migrates (and refuses new ones); the warning names the problem.
ALTER TABLE padu.plan_lines
    ADD CONSTRAINT plan_lines_plan_agency FOREIGN KEY (plan_id, program_id, fiscal_year, agency_id)
        REFERENCES padu.distribution_plans (id, program_id, fiscal_year, agency_id) ON DELETE CASCADE NOT VALID;
DO $$
BEGIN
    ALTER TABLE padu.plan_lines VALIDATE CONSTRAINT plan_lines_plan_agency;
EXCEPTION WHEN foreign_key_violation THEN
    RAISE WARNING 'plan lines exist whose agency is not their plan''s agency: fix them, then VALIDATE CONSTRAINT plan_lines_plan_agency';
END
$$;

CREATE FUNCTION padu.distribution_plans_decision_fields() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF (NEW.agency_id, NEW.created_by, NEW.created_at) IS DISTINCT FROM (OLD.agency_id, OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION 'a plan keeps its agency and author' USING ERRCODE = 'PD005', TABLE = 'distribution_plans';
    END IF;
    IF NOT (OLD.status = 'submitted' AND NEW.status IN ('approved', 'rejected'))
       AND (NEW.decision_reason, NEW.decided_by, NEW.decided_at)
           IS DISTINCT FROM (OLD.decision_reason, OLD.decided_by, OLD.decided_at) THEN
        RAISE EXCEPTION 'a plan''s decision is made once, by the coordinator, when it decides'
            USING ERRCODE = 'PD005', TABLE = 'distribution_plans';
    END IF;
    IF NOT (OLD.status = 'draft' AND NEW.status = 'submitted') AND NEW.submitted_at IS DISTINCT FROM OLD.submitted_at THEN
        RAISE EXCEPTION 'a plan''s submission time is set when it is submitted'
            USING ERRCODE = 'PD005', TABLE = 'distribution_plans';
    END IF;
    RETURN NEW;
END
$$;
-- Named to fire before distribution_plans_transition (BEFORE triggers fire by name), so it sees
-- what the statement wrote, not what the transition fills in.
CREATE TRIGGER distribution_plans_decision_fields BEFORE UPDATE ON padu.distribution_plans
    FOR EACH ROW EXECUTE FUNCTION padu.distribution_plans_decision_fields();

CREATE OR REPLACE FUNCTION padu.plan_lines_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    plan_status text;
    kept padu.plan_lines;
BEGIN
    SELECT status INTO plan_status FROM padu.distribution_plans
     WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.plan_id ELSE NEW.plan_id END;
    IF TG_OP = 'UPDATE' AND plan_status = 'submitted' THEN
        -- Every column but the decision's must stay as it was.
        kept := NEW;
        kept.status := OLD.status;
        kept.rejection_reason := OLD.rejection_reason;
        IF kept IS DISTINCT FROM OLD THEN
            RAISE EXCEPTION 'a line of a submitted plan changes only by its decision (status, rejection_reason)'
                USING ERRCODE = 'PD005', TABLE = 'plan_lines';
        END IF;
        RETURN NEW;
    END IF;
    IF plan_status IS DISTINCT FROM 'draft' THEN
        RAISE EXCEPTION 'the recipients of a % plan cannot change', plan_status USING ERRCODE = 'PD005';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
