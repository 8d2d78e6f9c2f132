-- A reversed delivery (0045) no longer counts toward its plan line: the one function that sums
-- what was delivered against a line (0055) leaves reversed deliveries out, and the bounds
-- (PD007) read it, as 0055 made them do.
SET LOCAL ROLE padu_owner;

CREATE OR REPLACE FUNCTION padu.plan_line_delivered(p_line_ids bigint[])
RETURNS TABLE (plan_line_id bigint, quantity numeric, value_idr numeric)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    SELECT d.plan_line_id, sum(d.quantity), sum(d.value_idr)
      FROM unnest(p_line_ids) AS x(id)
      JOIN padu.deliveries d ON d.plan_line_id = x.id
     WHERE NOT EXISTS (SELECT 1 FROM padu.delivery_reversals r WHERE r.delivery_id = d.id)
     GROUP BY d.plan_line_id;
END;
