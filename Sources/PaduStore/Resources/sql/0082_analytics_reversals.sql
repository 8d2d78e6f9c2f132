-- Analysts see reversals (0045) for what they are: analytics.deliveries gains `reversed` (the
-- delivery stays, so corrections can be studied), and the coverage per village counts only
-- deliveries that stand, as the summary does. Views of 0021, with that column and condition.
SET LOCAL ROLE padu_owner;

CREATE OR REPLACE VIEW analytics.deliveries AS
SELECT encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('delivery:' || d.id, 'UTF8'))), 1, 16),
              'hex')::uuid AS delivery_key,
       d.program_id, d.agency_id, d.fiscal_year, d.delivered_on, d.quantity, d.value_idr,
       CASE WHEN p.id IS NOT NULL THEN
           encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('person:' || p.id, 'UTF8'))), 1, 16),
                  'hex')::uuid END AS person_key,
       CASE WHEN h.id IS NOT NULL THEN
           encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('household:' || h.id, 'UTF8'))), 1, 16),
                  'hex')::uuid END AS household_key,
       h.region_code AS village_code, substr(h.region_code, 1, 8) AS district_code, h.decile,
       h.decile IS NOT NULL AS in_registry, d.plan_line_id IS NOT NULL AS coordinated,
       EXISTS (SELECT 1 FROM padu.delivery_reversals r WHERE r.delivery_id = d.id) AS reversed
  FROM padu.deliveries d
  CROSS JOIN padu.analytics_key k
  LEFT JOIN padu.persons p ON p.id = d.person_id
  LEFT JOIN padu.household_members m ON m.person_id = d.person_id AND m.valid_to IS NULL
  LEFT JOIN padu.households h ON h.id = coalesce(d.household_id, m.household_id);


CREATE OR REPLACE VIEW analytics.coverage_by_village AS
WITH reached AS (
    SELECT d.fiscal_year, d.village_code, count(DISTINCT d.household_key) AS households_reached,
           count(DISTINCT d.household_key) FILTER (WHERE d.decile BETWEEN 1 AND 4) AS decile_1_4_reached,
           sum(d.value_idr) AS value_idr
      FROM analytics.deliveries d WHERE d.village_code IS NOT NULL AND NOT d.reversed
     GROUP BY d.fiscal_year, d.village_code
), registry AS (
    SELECT region_code, count(*) AS registry_households
      FROM padu.households WHERE decile IS NOT NULL GROUP BY region_code
), cells AS (
    SELECT r.fiscal_year, r.village_code, substr(r.village_code, 1, 8) AS district_code, m.measure, m.v
      FROM reached r LEFT JOIN registry g ON g.region_code = r.village_code
     CROSS JOIN LATERAL (VALUES ('registry', g.registry_households), ('reached', r.households_reached),
                                ('decile_1_4', r.decile_1_4_reached)) AS m(measure, v)
), flagged AS (
    SELECT c.*, (c.v IS NULL OR c.v < 5) AS small FROM cells c
), counted AS (
    SELECT f.*, count(*) FILTER (WHERE f.small) OVER (PARTITION BY f.fiscal_year, f.district_code, f.measure) AS smalls,
           row_number() OVER (PARTITION BY f.fiscal_year, f.district_code, f.measure, f.small
                              ORDER BY f.v, f.village_code) AS nth
      FROM flagged f
), shown AS (
    SELECT fiscal_year, village_code, district_code, measure,
           CASE WHEN small OR (smalls = 1 AND nth = 1) THEN NULL ELSE v END AS v
      FROM counted
)
SELECT s.fiscal_year, s.village_code, s.district_code,
       max(s.v) FILTER (WHERE s.measure = 'registry') AS registry_households,
       max(s.v) FILTER (WHERE s.measure = 'reached') AS households_reached,
       max(s.v) FILTER (WHERE s.measure = 'decile_1_4') AS decile_1_4_reached,
       CASE WHEN max(s.v) FILTER (WHERE s.measure = 'reached') IS NOT NULL THEN max(r.value_idr) END AS value_idr
  FROM shown s JOIN reached r ON r.fiscal_year = s.fiscal_year AND r.village_code = s.village_code
 GROUP BY s.fiscal_year, s.village_code, s.district_code;
