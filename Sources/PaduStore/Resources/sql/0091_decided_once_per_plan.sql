-- Bulk loads (issue 14): approving a plan's lines asked "may the caller decide this plan?" once
-- per line, not once per plan. plan_lines_decided_by_coordinator (0014, 0036) filtered
-- `SELECT DISTINCT plan_id ...` with padu.decidable_plan(plan_id); the planner pushes that
-- filter below the DISTINCT, so a decision of 25,000 lines called decidable_plan 25,000 times
-- (7.3 s of the 11.3 s statement, measured with track_functions = all; docs/deploy.md).
-- The changed plans are now materialised first and each is asked once. Same rule, same code.
SET LOCAL ROLE padu_owner;

CREATE OR REPLACE FUNCTION padu.plan_lines_decided_by_coordinator() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    IF EXISTS (
        WITH plans AS MATERIALIZED (
            SELECT DISTINCT plan_id
              FROM (SELECT id, plan_id, status, rejection_reason, flags, acknowledged_flags, acknowledged_by,
                           acknowledged_at FROM new_rows
                    EXCEPT SELECT id, plan_id, status, rejection_reason, flags, acknowledged_flags, acknowledged_by,
                           acknowledged_at FROM old_rows) changed)
        SELECT 1 FROM plans WHERE NOT padu.decidable_plan(plan_id)) THEN
        RAISE EXCEPTION 'only the coordinator of the programme''s cluster decides a plan line' USING ERRCODE = 'PD005';
    END IF;
    RETURN NULL;
END
$$;
