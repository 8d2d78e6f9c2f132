-- The coordination rule: an agency plans its recipients, the cluster coordinator decides, and
-- deliveries of a programme that requires coordination must match an approved plan line.
SET LOCAL ROLE padu_owner;

CREATE TABLE padu.distribution_plans (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    program_id bigint NOT NULL,
    agency_id bigint NOT NULL DEFAULT padu.current_agency(),
    fiscal_year smallint NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    period text NOT NULL CHECK (period ~ '^[0-9]{4}-Q[1-4]$'),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved', 'rejected')),
    created_by bigint DEFAULT padu.current_account(),
    created_at timestamptz NOT NULL DEFAULT now(),
    submitted_at timestamptz,
    decided_at timestamptz,
    decided_by bigint,
    decision_reason text CHECK (length(decision_reason) <= 2000),
    FOREIGN KEY (program_id, agency_id) REFERENCES padu.programs (id, agency_id),
    UNIQUE (id, program_id, fiscal_year),
    CHECK (substr(period, 1, 4)::int = fiscal_year),
    CHECK ((status IN ('approved', 'rejected')) = (decided_at IS NOT NULL))
);
CREATE INDEX distribution_plans_agency ON padu.distribution_plans (agency_id, status);
CREATE INDEX distribution_plans_program ON padu.distribution_plans (program_id, status);

-- A recipient as sent (NIK or KK, valid or not: the check flags it), resolved to the registry
-- when it is there.
CREATE TABLE padu.plan_lines (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id bigint NOT NULL,
    program_id bigint NOT NULL,
    fiscal_year smallint NOT NULL,
    agency_id bigint NOT NULL DEFAULT padu.current_agency(),
    line_no int NOT NULL CHECK (line_no >= 0),
    nik text CHECK (length(nik) <= 32),
    kk text CHECK (length(kk) <= 32),
    person_id bigint REFERENCES padu.persons,
    household_id bigint REFERENCES padu.households,
    planned_value_idr padu.rupiah,
    planned_quantity bigint CHECK (planned_quantity >= 0),
    decile smallint,
    flags text[] NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    rejection_reason text CHECK (length(rejection_reason) <= 2000),
    FOREIGN KEY (plan_id, program_id, fiscal_year)
        REFERENCES padu.distribution_plans (id, program_id, fiscal_year) ON DELETE CASCADE,
    UNIQUE (plan_id, line_no),
    UNIQUE (id, program_id, fiscal_year),
    CHECK (num_nonnulls(nik, kk) = 1)
);
CREATE INDEX plan_lines_plan ON padu.plan_lines (plan_id);
CREATE INDEX plan_lines_person ON padu.plan_lines (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX plan_lines_household ON padu.plan_lines (household_id) WHERE household_id IS NOT NULL;
CREATE INDEX plan_lines_approved_nik ON padu.plan_lines (program_id, fiscal_year, nik) WHERE status = 'approved';
CREATE INDEX plan_lines_approved_kk ON padu.plan_lines (program_id, fiscal_year, kk) WHERE status = 'approved';

CREATE TABLE padu.plan_decisions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id bigint NOT NULL REFERENCES padu.distribution_plans ON DELETE CASCADE,
    decided_by bigint NOT NULL DEFAULT padu.current_account(),
    agency_id bigint NOT NULL DEFAULT padu.current_agency(),
    decision text NOT NULL CHECK (decision IN ('approve', 'reject')),
    reason text CHECK (length(reason) <= 2000),
    rejected_lines int NOT NULL DEFAULT 0,
    decided_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_decisions_plan ON padu.plan_decisions (plan_id);

-- Who may move a plan where: the owning agency drafts and submits; only the coordinator of
-- the programme's cluster approves or rejects a submitted plan; decided plans are final.
CREATE FUNCTION padu.distribution_plans_transition() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    coordinator bigint;
BEGIN
    IF NEW.status = OLD.status THEN
        IF OLD.status <> 'draft' AND (NEW.program_id, NEW.fiscal_year, NEW.period)
                                     IS DISTINCT FROM (OLD.program_id, OLD.fiscal_year, OLD.period) THEN
            RAISE EXCEPTION 'a submitted plan cannot change' USING ERRCODE = 'PD005';
        END IF;
        RETURN NEW;
    END IF;
    SELECT c.coordinator_agency_id INTO coordinator
      FROM padu.programs p JOIN padu.clusters c ON c.id = p.cluster_id WHERE p.id = NEW.program_id;
    IF OLD.status = 'draft' AND NEW.status = 'submitted' THEN
        IF OLD.agency_id IS DISTINCT FROM padu.current_agency() THEN
            RAISE EXCEPTION 'only the owning agency submits its plan' USING ERRCODE = 'PD005';
        END IF;
        NEW.submitted_at := now();
    ELSIF OLD.status = 'submitted' AND NEW.status IN ('approved', 'rejected') THEN
        IF coordinator IS NULL OR coordinator IS DISTINCT FROM padu.current_agency() THEN
            RAISE EXCEPTION 'only the coordinator of the programme''s cluster decides' USING ERRCODE = 'PD005';
        END IF;
        NEW.decided_at := now();
        NEW.decided_by := padu.current_account();
    ELSE
        RAISE EXCEPTION 'a plan cannot go from % to %', OLD.status, NEW.status USING ERRCODE = 'PD005';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER distribution_plans_transition BEFORE UPDATE ON padu.distribution_plans
    FOR EACH ROW EXECUTE FUNCTION padu.distribution_plans_transition();

-- Lines change only while their plan is a draft (the agency) or submitted (the decision).
CREATE FUNCTION padu.plan_lines_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    plan_status text;
BEGIN
    SELECT status INTO plan_status FROM padu.distribution_plans
     WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.plan_id ELSE NEW.plan_id END;
    IF TG_OP = 'UPDATE' AND plan_status = 'submitted' THEN
        IF (NEW.nik, NEW.kk, NEW.planned_value_idr, NEW.planned_quantity)
           IS DISTINCT FROM (OLD.nik, OLD.kk, OLD.planned_value_idr, OLD.planned_quantity) THEN
            RAISE EXCEPTION 'the recipients of a submitted plan cannot change' USING ERRCODE = 'PD005';
        END IF;
        RETURN NEW;
    END IF;
    IF plan_status IS DISTINCT FROM 'draft' THEN
        RAISE EXCEPTION 'the recipients of a % plan cannot change', plan_status USING ERRCODE = 'PD005';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER plan_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON padu.plan_lines
    FOR EACH ROW EXECUTE FUNCTION padu.plan_lines_guard();

CREATE TABLE padu.deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    program_id bigint NOT NULL,
    agency_id bigint NOT NULL DEFAULT padu.current_agency(),
    fiscal_year smallint NOT NULL GENERATED ALWAYS AS (extract(year FROM delivered_on)::smallint) STORED,
    plan_line_id bigint,
    nik padu.nik,
    kk padu.kk,
    person_id bigint REFERENCES padu.persons,
    household_id bigint REFERENCES padu.households,
    delivered_on date NOT NULL CHECK (delivered_on BETWEEN '2000-01-01' AND '2100-12-31'),
    quantity bigint NOT NULL DEFAULT 1 CHECK (quantity >= 0),
    value_idr padu.rupiah NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint DEFAULT padu.current_account(),
    FOREIGN KEY (program_id, agency_id) REFERENCES padu.programs (id, agency_id),
    FOREIGN KEY (plan_line_id, program_id, fiscal_year) REFERENCES padu.plan_lines (id, program_id, fiscal_year),
    CHECK (num_nonnulls(nik, kk) = 1)
);
CREATE INDEX deliveries_program_year ON padu.deliveries (program_id, fiscal_year);
CREATE INDEX deliveries_person_year ON padu.deliveries (person_id, fiscal_year) WHERE person_id IS NOT NULL;
CREATE INDEX deliveries_household_year ON padu.deliveries (household_id, fiscal_year) WHERE household_id IS NOT NULL;
CREATE INDEX deliveries_nik_year ON padu.deliveries (nik, fiscal_year) WHERE nik IS NOT NULL;
CREATE INDEX deliveries_kk_year ON padu.deliveries (kk, fiscal_year) WHERE kk IS NOT NULL;

-- The coordination rule, in the database: a delivery of a programme that requires
-- coordination names an approved line of an approved plan for the same recipient.
CREATE FUNCTION padu.deliveries_require_plan() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    needs_plan boolean;
BEGIN
    SELECT requires_coordination INTO needs_plan FROM padu.programs WHERE id = NEW.program_id;
    IF NOT needs_plan THEN
        RETURN NEW;
    END IF;
    IF NEW.plan_line_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
         WHERE l.id = NEW.plan_line_id AND l.status = 'approved' AND p.status = 'approved'
           -- Generated columns are not computed yet in a BEFORE trigger: derive the year here.
           AND l.program_id = NEW.program_id AND l.fiscal_year = extract(year FROM NEW.delivered_on)
           AND (l.nik IS NOT DISTINCT FROM NEW.nik) AND (l.kk IS NOT DISTINCT FROM NEW.kk)) THEN
        RAISE EXCEPTION 'a delivery of this programme needs an approved plan line for the recipient'
            USING ERRCODE = 'PD002', TABLE = 'deliveries', COLUMN = 'plan_line_id';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER deliveries_require_plan BEFORE INSERT OR UPDATE ON padu.deliveries
    FOR EACH ROW EXECUTE FUNCTION padu.deliveries_require_plan();

-- Pairs of registry persons that may be the same human: same birth date and district,
-- similar name, different NIK. Reviewed by the coordinator, never merged silently.
CREATE TABLE padu.possible_duplicates (
    person_a bigint NOT NULL REFERENCES padu.persons ON DELETE CASCADE,
    person_b bigint NOT NULL REFERENCES padu.persons ON DELETE CASCADE,
    region_code padu.region_code NOT NULL,
    similarity real NOT NULL,
    found_at timestamptz NOT NULL DEFAULT now(),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'same_person', 'different')),
    decided_by bigint,
    decided_at timestamptz,
    PRIMARY KEY (person_a, person_b),
    CHECK (person_a < person_b),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX possible_duplicates_b ON padu.possible_duplicates (person_b);
CREATE INDEX possible_duplicates_pending ON padu.possible_duplicates (region_code) WHERE status = 'pending';

-- Records pairs of registry persons with the same birth date and district and similar names
-- (trigram similarity), for the coordinator to review. Runs as owner: pg_trgm is not exposed.
CREATE FUNCTION padu.find_possible_duplicates(p_person_ids bigint[]) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, padu, extensions
BEGIN ATOMIC
    WITH candidates AS (
        SELECT least(p.id, q.id) AS a, greatest(p.id, q.id) AS b, p.region_code,
               extensions.similarity(p.name, q.name) AS score
          FROM padu.persons p
          JOIN padu.persons q ON q.birth_date = p.birth_date
                             AND substr(q.region_code, 1, 8) = substr(p.region_code, 1, 8)
                             AND q.id <> p.id
         WHERE p.id = ANY (p_person_ids) AND p.region_code IS NOT NULL
           AND extensions.similarity(p.name, q.name) >= 0.5
    ), inserted AS (
        INSERT INTO padu.possible_duplicates (person_a, person_b, region_code, similarity)
        SELECT DISTINCT ON (a, b) a, b, region_code, score FROM candidates
        ON CONFLICT DO NOTHING RETURNING 1
    )
    SELECT count(*) FROM inserted;
END;
