-- Closed periods and budgets below realisation, kept by the database:
-- 1. A closed reporting period is closed for every report of it: 0005 froze only reports that
--    were already submitted, so a draft of a closed period could still be edited and submitted,
--    and a new report filed. Now no report of a closed period is inserted, changed or deleted
--    (PD003), and no report moves into or out of a closed period.
-- 2. A budget cannot be lowered below what is already realised for its programme, year and
--    funding source without a reason, as realisation above the budget needs
--    over_budget_reason (PD001, 0005). The reason goes in budget_allocations.below_realised_reason;
--    an allocation with realised spending against it cannot be deleted (lower it instead).
SET LOCAL ROLE padu_owner;

CREATE FUNCTION padu.progress_reports_period_open() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    closed text;
BEGIN
    SELECT min(period) INTO closed FROM padu.reporting_periods
     WHERE status = 'closed'
       AND period IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.period END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.period END);
    IF closed IS NOT NULL THEN
        RAISE EXCEPTION 'reporting period % is closed: its reports cannot be filed or changed', closed
            USING ERRCODE = 'PD003', TABLE = 'progress_reports', COLUMN = 'period';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER progress_reports_period_open BEFORE INSERT OR UPDATE OR DELETE ON padu.progress_reports
    FOR EACH ROW EXECUTE FUNCTION padu.progress_reports_period_open();

ALTER TABLE padu.budget_allocations
    ADD COLUMN below_realised_reason text
        CHECK (btrim(below_realised_reason) <> '' AND length(below_realised_reason) <= 1000);
GRANT SELECT, INSERT, UPDATE, DELETE ON padu.budget_allocations TO padu_agency, padu_coordinator;

CREATE FUNCTION padu.budget_allocations_not_below_realised() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    realized numeric;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.allocated_idr >= OLD.allocated_idr AND (NEW.program_id, NEW.fiscal_year, NEW.funding_source)
                                                     IS NOT DISTINCT FROM (OLD.program_id, OLD.fiscal_year, OLD.funding_source) THEN
            RETURN NEW;
        END IF;
        IF NEW.below_realised_reason IS NOT NULL THEN
            RETURN NEW;
        END IF;
    END IF;
    SELECT coalesce(sum(amount_idr), 0) INTO realized FROM padu.realizations
     WHERE program_id = OLD.program_id AND fiscal_year = OLD.fiscal_year AND funding_source = OLD.funding_source;
    IF TG_OP = 'DELETE' AND realized > 0 THEN
        RAISE EXCEPTION 'realised % stands against this allocation: lower it with below_realised_reason instead of deleting it',
            realized USING ERRCODE = 'PD001', TABLE = 'budget_allocations', COLUMN = 'allocated_idr',
                           HINT = 'give below_realised_reason';
    ELSIF TG_OP = 'UPDATE' AND NEW.allocated_idr < realized THEN
        RAISE EXCEPTION 'allocated % would be below realised % for this year and funding source', NEW.allocated_idr, realized
            USING ERRCODE = 'PD001', TABLE = 'budget_allocations', COLUMN = 'allocated_idr',
                  HINT = 'give below_realised_reason';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER budget_allocations_not_below_realised BEFORE UPDATE OR DELETE ON padu.budget_allocations
    FOR EACH ROW EXECUTE FUNCTION padu.budget_allocations_not_below_realised();
