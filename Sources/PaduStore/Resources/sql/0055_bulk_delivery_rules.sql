-- Bulk loads (issue 14): the coordination rule on deliveries (PD002, 0006) ran once per row, a
-- PL/pgSQL call with two lookups for each of a million deliveries. It now runs once per
-- statement over the transition table, as the bounds (PD007, 0019) and the registry ids
-- (PD006, 0014) already do: the same rule, the same code and message, one join.
-- And "delivered so far against a plan line" is one function, padu.plan_line_delivered, that
-- the bounds and anything else that needs it read: the one place that decides which
-- deliveries count (reversals, when they come, are excluded there).
SET LOCAL ROLE padu_owner;

-- The bounds summed every delivery of the table for each statement (no index led from a line
-- to its deliveries): a single API delivery read all ten million at ten times Muba.
CREATE INDEX deliveries_plan_line ON padu.deliveries (plan_line_id) WHERE plan_line_id IS NOT NULL;

-- What has been delivered against each of the given plan lines: quantity and value. The one
-- place that says which deliveries count against a line.
CREATE FUNCTION padu.plan_line_delivered(p_line_ids bigint[])
RETURNS TABLE (plan_line_id bigint, quantity numeric, value_idr numeric)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT d.plan_line_id, sum(d.quantity), sum(d.value_idr)
      FROM unnest(p_line_ids) AS x(id)
      JOIN padu.deliveries d ON d.plan_line_id = x.id
     GROUP BY d.plan_line_id;
END;

-- A delivery of a programme that requires coordination names an approved line of an approved
-- plan for the same recipient (the line's programme and year are the delivery's: the foreign
-- key on (plan_line_id, program_id, fiscal_year) says so). Checked once per statement.
CREATE FUNCTION padu.deliveries_require_plan_statement() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF EXISTS (
        SELECT 1
          FROM new_rows d
          JOIN padu.programs g ON g.id = d.program_id
          LEFT JOIN padu.plan_lines l ON l.id = d.plan_line_id
          LEFT JOIN padu.distribution_plans p ON p.id = l.plan_id
         WHERE g.requires_coordination
           AND (l.id IS NULL OR l.status <> 'approved' OR p.status IS DISTINCT FROM 'approved'
                OR l.program_id <> d.program_id OR l.fiscal_year <> d.fiscal_year
                OR l.nik IS DISTINCT FROM d.nik::text OR l.kk IS DISTINCT FROM d.kk::text)) THEN
        RAISE EXCEPTION 'a delivery of this programme needs an approved plan line for the recipient'
            USING ERRCODE = 'PD002', TABLE = 'deliveries', COLUMN = 'plan_line_id';
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER deliveries_require_plan ON padu.deliveries;
DROP FUNCTION padu.deliveries_require_plan();
-- Named to fire before the registry-id and bounds checks (triggers of one event fire by name),
-- as the per-row trigger did.
CREATE TRIGGER deliveries_plan_required_insert AFTER INSERT ON padu.deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.deliveries_require_plan_statement();
CREATE TRIGGER deliveries_plan_required_update AFTER UPDATE ON padu.deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.deliveries_require_plan_statement();

-- The bounds of 0019, reading the delivered sums from padu.plan_line_delivered.
CREATE OR REPLACE FUNCTION padu.deliveries_within_plan_line() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    lines bigint[];
    over record;
BEGIN
    SELECT array_agg(DISTINCT plan_line_id) INTO lines FROM new_rows WHERE plan_line_id IS NOT NULL;
    IF lines IS NULL THEN
        RETURN NULL;
    END IF;
    -- Serialise statements that deliver against the same lines.
    PERFORM 1 FROM padu.plan_lines l WHERE l.id = ANY (lines) ORDER BY l.id FOR NO KEY UPDATE OF l;
    SELECT l.id, l.plan_id, l.line_no, coalesce(l.nik, l.kk) AS recipient, t.quantity,
           coalesce(l.planned_quantity, 1) AS planned_quantity, t.value_idr AS value, l.planned_value_idr
      INTO over
      FROM padu.plan_line_delivered(lines) t
      JOIN padu.plan_lines l ON l.id = t.plan_line_id
     WHERE t.quantity > coalesce(l.planned_quantity, 1)
        OR (l.planned_value_idr IS NOT NULL AND t.value_idr > l.planned_value_idr)
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
