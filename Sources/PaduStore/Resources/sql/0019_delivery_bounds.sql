-- Deliveries bounded by their plan line (API v1.1, "Deliveries and corrections"), and sums
-- that cannot overflow. One approved line accepted thousands of deliveries of 10^15 rupiah in
-- one request; the summary's sums then overflowed bigint, every refresh failed from then on.
-- 1. value_idr of a delivery and amount_idr of a realisation are at most 10^12 per row.
-- 2. Over its fiscal year (a line's deliveries share its year: the key includes it), the sum of
--    quantity delivered against one plan line may not exceed planned_quantity (default 1), nor
--    the sum of value_idr planned_value_idr when that was given: PD007, naming the line.
--    Checked once per statement over the transition table, with the touched lines locked
--    (FOR NO KEY UPDATE, in line id order) so that concurrent statements against the same line
--    are counted one after the other (READ COMMITTED, as the API runs).
-- 3. The summary's money columns are numeric: refresh sums cannot overflow, whatever is stored.
SET LOCAL ROLE padu_owner;

ALTER TABLE padu.deliveries
    ADD CONSTRAINT deliveries_value_at_most_10e12 CHECK (value_idr <= 1000000000000) NOT VALID;
ALTER TABLE padu.realizations
    ADD CONSTRAINT realizations_amount_at_most_10e12 CHECK (amount_idr <= 1000000000000) NOT VALID;
DO $$
BEGIN
    ALTER TABLE padu.deliveries VALIDATE CONSTRAINT deliveries_value_at_most_10e12;
    ALTER TABLE padu.realizations VALIDATE CONSTRAINT realizations_amount_at_most_10e12;
EXCEPTION WHEN check_violation THEN
    RAISE WARNING 'rows above 10^12 rupiah exist: new rows are refused; correct the old ones, then VALIDATE the constraints';
END
$$;

CREATE FUNCTION padu.deliveries_within_plan_line() RETURNS trigger
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
CREATE TRIGGER deliveries_within_plan_line_insert AFTER INSERT ON padu.deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.deliveries_within_plan_line();
CREATE TRIGGER deliveries_within_plan_line_update AFTER UPDATE ON padu.deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.deliveries_within_plan_line();

-- The summary's money sums as numeric. The analysts' view over summary_location is rebuilt
-- around the change (0021 replaces it again).
DROP VIEW analytics.summary_by_village;
DROP FUNCTION padu.summary_regions(int, int);
ALTER TABLE padu.summary_agency ALTER COLUMN value_idr TYPE numeric;
ALTER TABLE padu.summary_cluster ALTER COLUMN value_idr TYPE numeric;
ALTER TABLE padu.summary_location ALTER COLUMN value_idr TYPE numeric;
CREATE VIEW analytics.summary_by_village AS
SELECT l.fiscal_year, l.location AS village_code, substr(l.location, 1, 8) AS district_code,
       CASE WHEN l.households >= 5 THEN l.households END AS households_reached,
       CASE WHEN l.households >= 5 THEN l.persons END AS persons_reached,
       CASE WHEN l.decile_1_4 >= 5 THEN l.decile_1_4 END AS decile_1_4_households_reached,
       CASE WHEN l.households >= 5 THEN l.value_idr END AS value_idr
  FROM padu.summary_location l WHERE length(l.location) = 13;
GRANT SELECT ON analytics.summary_by_village TO padu_analyst;

-- summary_regions keeps its bigint column for the API; a sum beyond bigint (out of reach under
-- the per-row cap: 9 million maximal deliveries in one district and year) saturates rather
-- than failing the request.
CREATE FUNCTION padu.summary_regions(p_year int, p_level int)
RETURNS TABLE (region_code text, region text, registry_households bigint, households_reached bigint,
               decile_1_4_households_reached bigint, value_delivered_idr bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    WITH scope AS (SELECT padu.current_scope() AS code),
    regions AS (
        SELECT g.code::text AS code, g.name FROM padu.regions g, scope
         WHERE g.level = p_level AND padu.in_scope(g.code, scope.code)
    ), reach AS (
        SELECT substr(l.location, 1, CASE p_level WHEN 3 THEN 8 ELSE 13 END) AS code,
               sum(l.households) AS households, sum(l.decile_1_4) AS decile_1_4, sum(l.value_idr) AS value_idr
          FROM padu.summary_location l, scope
         WHERE l.fiscal_year = p_year AND length(l.location) = 13 AND padu.in_scope(l.location, scope.code)
         GROUP BY 1
    ), registry AS (
        SELECT substr(s.location, 1, CASE p_level WHEN 3 THEN 8 ELSE 13 END) AS code, sum(s.households) AS households
          FROM padu.summary_registry s, scope WHERE padu.in_scope(s.location, scope.code) GROUP BY 1
    )
    SELECT r.code, r.name,
           CASE WHEN g.households >= 5 THEN g.households END::bigint,
           CASE WHEN x.households >= 5 THEN x.households END::bigint,
           CASE WHEN x.decile_1_4 >= 5 THEN x.decile_1_4 END::bigint,
           CASE WHEN x.households >= 5 THEN least(x.value_idr, 9223372036854775807) END::bigint
      FROM regions r LEFT JOIN reach x ON x.code = r.code LEFT JOIN registry g ON g.code = r.code
     ORDER BY r.code;
END;
GRANT EXECUTE ON FUNCTION padu.summary_regions(int, int) TO padu_executive, padu_admin, padu_coordinator;
