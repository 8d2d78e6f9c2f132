-- Schema analytics: what analysts (Bappeda, BPS, universities) query with SQL. Pseudonymous:
-- a random key per person and household, birth year, sex, village, decile; never a NIK, KK,
-- name or address. The views run with their owner's rights, so analysts need no access to
-- schema padu. Region breakdowns suppress cells of fewer than 5 households.
SET LOCAL ROLE padu_owner;

REVOKE ALL ON SCHEMA analytics FROM PUBLIC;
GRANT USAGE ON SCHEMA analytics TO padu_analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE padu_owner IN SCHEMA analytics GRANT SELECT ON TABLES TO padu_analyst;

CREATE VIEW analytics.regions AS
SELECT code, name, level, parent_code FROM padu.regions;

CREATE VIEW analytics.agencies AS
SELECT id AS agency_id, code, name, short_name, kind, region_code FROM padu.agencies;

CREATE VIEW analytics.clusters AS
SELECT c.id AS cluster_id, c.name, m.agency_id, m.role
  FROM padu.clusters c LEFT JOIN padu.cluster_members m ON m.cluster_id = c.id;

CREATE VIEW analytics.programs AS
SELECT p.id AS program_id, p.agency_id, a.code AS agency_code, p.code, p.name, p.cluster_id, p.aid_kind,
       p.target, p.unit, p.requires_coordination
  FROM padu.programs p JOIN padu.agencies a ON a.id = p.agency_id;

CREATE VIEW analytics.budgets AS
SELECT program_id, agency_id, fiscal_year, funding_source, allocated_idr FROM padu.budget_allocations;

CREATE VIEW analytics.realizations AS
SELECT program_id, agency_id, fiscal_year, month, funding_source, amount_idr, output_quantity,
       over_budget_reason IS NOT NULL AS over_budget
  FROM padu.realizations;

CREATE VIEW analytics.households AS
SELECT h.pseudonym AS household_key, h.region_code AS village_code, substr(h.region_code, 1, 8) AS district_code,
       h.decile, h.registry_source, h.registry_as_of,
       (SELECT count(*) FROM padu.household_members m WHERE m.household_id = h.id AND m.valid_to IS NULL) AS members
  FROM padu.households h;

CREATE VIEW analytics.persons AS
SELECT p.pseudonym AS person_key, extract(year FROM p.birth_date)::int AS birth_year, p.sex,
       p.region_code AS village_code, substr(p.region_code, 1, 8) AS district_code,
       h.pseudonym AS household_key, h.decile
  FROM padu.persons p
  LEFT JOIN padu.household_members m ON m.person_id = p.id AND m.valid_to IS NULL
  LEFT JOIN padu.households h ON h.id = m.household_id;

-- One row per delivery: which programme reached which (pseudonymous) person or household, where.
CREATE VIEW analytics.deliveries AS
SELECT d.id AS delivery_id, d.program_id, d.agency_id, d.fiscal_year, d.delivered_on, d.quantity, d.value_idr,
       p.pseudonym AS person_key, h.pseudonym AS household_key, h.region_code AS village_code,
       substr(h.region_code, 1, 8) AS district_code, h.decile, h.decile IS NOT NULL AS in_registry,
       d.plan_line_id IS NOT NULL AS coordinated
  FROM padu.deliveries d
  LEFT JOIN padu.persons p ON p.id = d.person_id
  LEFT JOIN padu.household_members m ON m.person_id = d.person_id AND m.valid_to IS NULL
  LEFT JOIN padu.households h ON h.id = coalesce(d.household_id, m.household_id);

-- Coverage per village and year: cells of fewer than 5 households are NULL (the row stays).
CREATE VIEW analytics.coverage_by_village AS
WITH reached AS (
    SELECT d.fiscal_year, d.village_code, count(DISTINCT d.household_key) AS households_reached,
           count(DISTINCT d.household_key) FILTER (WHERE d.decile BETWEEN 1 AND 4) AS decile_1_4_reached,
           sum(d.value_idr) AS value_idr
      FROM analytics.deliveries d WHERE d.village_code IS NOT NULL
     GROUP BY d.fiscal_year, d.village_code
), registry AS (
    SELECT region_code, count(*) AS registry_households,
           count(*) FILTER (WHERE decile BETWEEN 1 AND 4) AS decile_1_4_households
      FROM padu.households WHERE decile IS NOT NULL GROUP BY region_code
)
SELECT r.fiscal_year, r.village_code, substr(r.village_code, 1, 8) AS district_code,
       CASE WHEN g.registry_households >= 5 THEN g.registry_households END AS registry_households,
       CASE WHEN r.households_reached >= 5 THEN r.households_reached END AS households_reached,
       CASE WHEN r.decile_1_4_reached >= 5 THEN r.decile_1_4_reached END AS decile_1_4_reached,
       CASE WHEN r.households_reached >= 5 THEN r.value_idr END AS value_idr
  FROM reached r LEFT JOIN registry g ON g.region_code = r.village_code;

GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO padu_analyst;
