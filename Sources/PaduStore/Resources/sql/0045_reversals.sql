-- Corrections (API v1.1, "Deliveries and corrections"): a delivery or a realisation entered
-- wrongly is reversed, with a reason, and then recorded anew. The original row stays (and stays
-- in the audit); a reversal is a row of its own, never changed or deleted, one per record (a
-- second reversal is a unique violation). What counts a delivery or a realisation stops
-- counting a reversed one:
-- 1. the per-line bound of 0019 (PD007): a reversed delivery frees its quantity and value, so
--    the corrected one can be recorded;
-- 2. the budget rules of 0005 and 0018 (PD001) count standing realisations only;
-- 3. realizations carry `reversed` (kept by the database from realization_reversals), so that
--    one standing realisation per programme, year, month and source is unique while reversed
--    ones stay beside it; the unique index keeps the old constraint's name.
-- The summary (0046 onwards) and the API's totals exclude reversed records too.
SET LOCAL ROLE padu_owner;

CREATE TABLE padu.delivery_reversals (
    delivery_id bigint PRIMARY KEY REFERENCES padu.deliveries,
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000 AND btrim(reason) <> ''),
    reversed_by bigint DEFAULT padu.current_account(),
    reversed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE padu.realization_reversals (
    realization_id bigint PRIMARY KEY REFERENCES padu.realizations,
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000 AND btrim(reason) <> ''),
    reversed_by bigint DEFAULT padu.current_account(),
    reversed_at timestamptz NOT NULL DEFAULT now()
);

-- Who reverses: the owning agency, through the record's own row-level security (an agency sees
-- and reverses only its own deliveries and realisations). Nobody changes or deletes a reversal.
GRANT SELECT, INSERT (delivery_id, reason) ON padu.delivery_reversals TO padu_agency, padu_coordinator;
GRANT SELECT, INSERT (realization_id, reason) ON padu.realization_reversals TO padu_agency, padu_coordinator;
GRANT SELECT ON padu.realization_reversals TO padu_admin, padu_executive;

ALTER TABLE padu.delivery_reversals ENABLE ROW LEVEL SECURITY;
ALTER TABLE padu.realization_reversals ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_delivery ON padu.delivery_reversals TO padu_agency, padu_coordinator
    USING (EXISTS (SELECT 1 FROM padu.deliveries d WHERE d.id = delivery_id))
    WITH CHECK (EXISTS (SELECT 1 FROM padu.deliveries d WHERE d.id = delivery_id));
CREATE POLICY own_realization ON padu.realization_reversals TO padu_agency, padu_coordinator
    USING (EXISTS (SELECT 1 FROM padu.realizations r WHERE r.id = realization_id))
    WITH CHECK (EXISTS (SELECT 1 FROM padu.realizations r WHERE r.id = realization_id
                          AND r.agency_id = (SELECT padu.current_agency())));
CREATE POLICY scope_read ON padu.realization_reversals FOR SELECT TO padu_admin, padu_executive
    USING (EXISTS (SELECT 1 FROM padu.realizations r WHERE r.id = realization_id));

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['delivery_reversals', 'realization_reversals'] LOOP
        EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON padu.%I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION padu.audit_statement()', t);
        EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON padu.%I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION padu.audit_statement()', t);
        EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON padu.%I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION padu.audit_statement()', t);
    END LOOP;
END
$$;

-- realizations.reversed mirrors realization_reversals: whatever a writer sends, the row says
-- whether a reversal of it exists.
ALTER TABLE padu.realizations ADD COLUMN reversed boolean NOT NULL DEFAULT false;
DO $$
DECLARE
    c text;
BEGIN
    SELECT conname INTO c FROM pg_constraint
     WHERE conrelid = 'padu.realizations'::regclass AND contype = 'u'
       AND conkey = ARRAY(SELECT attnum FROM pg_attribute WHERE attrelid = 'padu.realizations'::regclass
                             AND attname IN ('program_id', 'fiscal_year', 'month', 'funding_source') ORDER BY attnum);
    EXECUTE format('ALTER TABLE padu.realizations DROP CONSTRAINT %I', c);
END
$$;
CREATE UNIQUE INDEX realizations_program_id_fiscal_year_month_funding_source_key
    ON padu.realizations (program_id, fiscal_year, month, funding_source) WHERE NOT reversed;

CREATE FUNCTION padu.realizations_reversed_flag() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    NEW.reversed := EXISTS (SELECT 1 FROM padu.realization_reversals WHERE realization_id = NEW.id);
    RETURN NEW;
END
$$;
CREATE TRIGGER realizations_reversed_flag BEFORE INSERT OR UPDATE ON padu.realizations
    FOR EACH ROW EXECUTE FUNCTION padu.realizations_reversed_flag();

CREATE FUNCTION padu.realization_reversals_flag() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    UPDATE padu.realizations SET reversed = true WHERE id IN (SELECT realization_id FROM new_rows);
    RETURN NULL;
END
$$;
CREATE TRIGGER realization_reversals_flag AFTER INSERT ON padu.realization_reversals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.realization_reversals_flag();

-- 0005's budget rule, counting standing realisations only.
CREATE OR REPLACE FUNCTION padu.realizations_within_budget() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    realized bigint;
    allocated bigint;
BEGIN
    IF NEW.over_budget_reason IS NOT NULL OR NEW.reversed THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(sum(amount_idr), 0) INTO realized FROM padu.realizations
     WHERE program_id = NEW.program_id AND fiscal_year = NEW.fiscal_year AND funding_source = NEW.funding_source
       AND NOT reversed;
    SELECT coalesce(sum(allocated_idr), 0) INTO allocated FROM padu.budget_allocations
     WHERE program_id = NEW.program_id AND fiscal_year = NEW.fiscal_year AND funding_source = NEW.funding_source;
    IF realized > allocated THEN
        RAISE EXCEPTION 'realised % exceeds allocated % for this year and funding source', realized, allocated
            USING ERRCODE = 'PD001', COLUMN = 'amount_idr', TABLE = 'realizations',
                  HINT = 'give over_budget_reason';
    END IF;
    RETURN NULL;
END
$$;

-- 0018's rule, counting standing realisations only.
CREATE OR REPLACE FUNCTION padu.budget_allocations_not_below_realised() RETURNS trigger
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
     WHERE program_id = OLD.program_id AND fiscal_year = OLD.fiscal_year AND funding_source = OLD.funding_source
       AND NOT reversed;
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

-- 0019's bound, counting deliveries that stand (not reversed).
CREATE OR REPLACE FUNCTION padu.deliveries_within_plan_line() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    over record;
BEGIN
    -- Serialise statements that deliver against the same lines.
    PERFORM 1 FROM padu.plan_lines l
     WHERE l.id IN (SELECT DISTINCT plan_line_id FROM new_rows WHERE plan_line_id IS NOT NULL)
     ORDER BY l.id FOR NO KEY UPDATE OF l;
    SELECT l.id, l.plan_id, l.line_no, coalesce(l.nik, l.kk) AS recipient, t.quantity,
           coalesce(l.planned_quantity, 1) AS planned_quantity, t.value, l.planned_value_idr
      INTO over
      FROM (SELECT d.plan_line_id, sum(d.quantity) AS quantity, sum(d.value_idr) AS value
              FROM padu.deliveries d
             WHERE d.plan_line_id IN (SELECT DISTINCT plan_line_id FROM new_rows WHERE plan_line_id IS NOT NULL)
               AND NOT EXISTS (SELECT 1 FROM padu.delivery_reversals r WHERE r.delivery_id = d.id)
             GROUP BY d.plan_line_id) t
      JOIN padu.plan_lines l ON l.id = t.plan_line_id
     WHERE t.quantity > coalesce(l.planned_quantity, 1)
        OR (l.planned_value_idr IS NOT NULL AND t.value > l.planned_value_idr)
     ORDER BY l.id
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'deliveries against plan line % (line % of plan %, %) would total quantity % of % planned, value % of % planned',
            over.id, over.line_no, over.plan_id, over.recipient, over.quantity, over.planned_quantity, over.value,
            coalesce(over.planned_value_idr::text, 'no value')
            USING ERRCODE = 'PD007', TABLE = 'deliveries', COLUMN = 'quantity',
                  DETAIL = format('plan_line_id=%s line_no=%s', over.id, over.line_no);
    END IF;
    RETURN NULL;
END
$$;
