-- Each agency's programmes, budgets (pagu), monthly realisation and quarterly progress.
-- Every row carries its agency, tied to the programme by a composite key, so row-level
-- security needs no join.
SET LOCAL ROLE padu_owner;

CREATE TABLE padu.programs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id bigint NOT NULL DEFAULT padu.current_agency() REFERENCES padu.agencies,
    code text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'),
    name text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    cluster_id smallint NOT NULL REFERENCES padu.clusters,
    aid_kind text NOT NULL CHECK (aid_kind IN ('cash', 'in_kind', 'service', 'insurance')),
    target text NOT NULL CHECK (target IN ('person', 'household')),
    unit text NOT NULL CHECK (btrim(unit) <> '' AND length(unit) <= 60),
    requires_coordination boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agency_id, code),
    UNIQUE (id, agency_id)
);
CREATE INDEX programs_cluster ON padu.programs (cluster_id);
CREATE TRIGGER programs_touch BEFORE UPDATE ON padu.programs
    FOR EACH ROW EXECUTE FUNCTION padu.touch_updated_at();

CREATE TABLE padu.budget_allocations (
    program_id bigint NOT NULL,
    agency_id bigint NOT NULL DEFAULT padu.current_agency(),
    fiscal_year smallint NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    funding_source text NOT NULL REFERENCES padu.funding_sources,
    allocated_idr padu.rupiah NOT NULL,
    PRIMARY KEY (program_id, fiscal_year, funding_source),
    FOREIGN KEY (program_id, agency_id) REFERENCES padu.programs (id, agency_id) ON DELETE CASCADE
);
CREATE INDEX budget_allocations_agency ON padu.budget_allocations (agency_id, fiscal_year);

CREATE TABLE padu.realizations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    program_id bigint NOT NULL,
    agency_id bigint NOT NULL DEFAULT padu.current_agency(),
    fiscal_year smallint NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    month smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
    funding_source text NOT NULL REFERENCES padu.funding_sources,
    amount_idr padu.rupiah NOT NULL,
    output_quantity bigint CHECK (output_quantity >= 0),
    over_budget_reason text CHECK (btrim(over_budget_reason) <> '' AND length(over_budget_reason) <= 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint DEFAULT padu.current_account(),
    UNIQUE (program_id, fiscal_year, month, funding_source),
    FOREIGN KEY (program_id, agency_id) REFERENCES padu.programs (id, agency_id) ON DELETE CASCADE
);
CREATE INDEX realizations_agency ON padu.realizations (agency_id, fiscal_year);

-- Realised may not exceed allocated for a programme, year and source unless a reason is given.
CREATE FUNCTION padu.realizations_within_budget() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    realized bigint;
    allocated bigint;
BEGIN
    IF NEW.over_budget_reason IS NOT NULL THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(sum(amount_idr), 0) INTO realized FROM padu.realizations
     WHERE program_id = NEW.program_id AND fiscal_year = NEW.fiscal_year AND funding_source = NEW.funding_source;
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
CREATE CONSTRAINT TRIGGER realizations_within_budget AFTER INSERT OR UPDATE ON padu.realizations
    FOR EACH ROW EXECUTE FUNCTION padu.realizations_within_budget();

CREATE TABLE padu.progress_reports (
    program_id bigint NOT NULL,
    agency_id bigint NOT NULL DEFAULT padu.current_agency(),
    period text NOT NULL REFERENCES padu.reporting_periods,
    target_quantity bigint CHECK (target_quantity >= 0),
    achieved_quantity bigint CHECK (achieved_quantity >= 0),
    narrative text CHECK (length(narrative) <= 10000),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
    submitted_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (program_id, period),
    FOREIGN KEY (program_id, agency_id) REFERENCES padu.programs (id, agency_id) ON DELETE CASCADE,
    CHECK ((status = 'submitted') = (submitted_at IS NOT NULL))
);
CREATE INDEX progress_reports_period ON padu.progress_reports (period, agency_id);
CREATE TRIGGER progress_reports_touch BEFORE UPDATE ON padu.progress_reports
    FOR EACH ROW EXECUTE FUNCTION padu.touch_updated_at();

-- A submitted report of a closed period is frozen.
CREATE FUNCTION padu.progress_reports_frozen() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF OLD.status = 'submitted'
       AND EXISTS (SELECT 1 FROM padu.reporting_periods WHERE period = OLD.period AND status = 'closed') THEN
        RAISE EXCEPTION 'the report of closed period % was submitted and cannot change', OLD.period
            USING ERRCODE = 'PD003', TABLE = 'progress_reports';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER progress_reports_frozen BEFORE UPDATE OR DELETE ON padu.progress_reports
    FOR EACH ROW EXECUTE FUNCTION padu.progress_reports_frozen();

-- A reporting period exists (open) once anyone reports for it; the admin closes it.
CREATE FUNCTION padu.ensure_period(p_period text) RETURNS text
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    INSERT INTO padu.reporting_periods (period) VALUES (p_period) ON CONFLICT DO NOTHING;
    SELECT status FROM padu.reporting_periods WHERE period = p_period;
END;
