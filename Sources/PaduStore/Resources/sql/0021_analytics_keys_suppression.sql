-- Analytics keys that cannot be joined to API ids, and suppression that holds against
-- differencing.
-- 1. analytics.deliveries showed delivery_id, the id the API returns to the agency that made the
--    delivery (next to the NIK): an agency user who is also an analyst could link a person_key
--    to a person. Every analytics key is now a keyed hash: HMAC-SHA256 under a secret in
--    padu.analytics_key (generated here, readable by its owner only), of the kind and the
--    internal id, shown as a uuid (its first 128 bits). delivery_id becomes delivery_key;
--    person_key and household_key are keyed hashes too (rotating the secret re-pseudonymises
--    a data release: padu.rotate_analytics_key()). Built on core sha256(), so analysts need no
--    function but PostgreSQL's own, and no function that would hash an id they chose.
-- 2. Secondary suppression. A village cell under 5 was NULL, but when it was the only one in its
--    district, the district total minus the other villages gave it back. Now, per measure and
--    district (per parent region in padu.summary_regions), when exactly one cell is suppressed
--    the next-smallest cell is suppressed too, so the district total reveals only a sum of two.
SET LOCAL ROLE padu_owner;

CREATE TABLE padu.analytics_key (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    inner_pad bytea NOT NULL CHECK (length(inner_pad) = 64),  -- key XOR 0x36..
    outer_pad bytea NOT NULL CHECK (length(outer_pad) = 64),  -- key XOR 0x5c..
    created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON padu.analytics_key FROM PUBLIC;

-- A fresh 256-bit secret (from gen_random_uuid's CSPRNG: 4 uuids, 488 random bits), zero-padded
-- to SHA-256's 64-byte block, stored as the two HMAC pads.
CREATE FUNCTION padu.rotate_analytics_key() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, padu AS $$
DECLARE
    secret bytea := substr(sha256(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text
                                                 || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex')), 1, 32)
                    || decode(repeat('00', 32), 'hex');
    inner_pad bytea := secret;
    outer_pad bytea := secret;
BEGIN
    FOR i IN 0..63 LOOP
        inner_pad := set_byte(inner_pad, i, get_byte(secret, i) # 54);
        outer_pad := set_byte(outer_pad, i, get_byte(secret, i) # 92);
    END LOOP;
    INSERT INTO padu.analytics_key (inner_pad, outer_pad) VALUES (inner_pad, outer_pad)
    ON CONFLICT (singleton) DO UPDATE SET inner_pad = EXCLUDED.inner_pad, outer_pad = EXCLUDED.outer_pad,
                                          created_at = now();
END
$$;
REVOKE EXECUTE ON FUNCTION padu.rotate_analytics_key() FROM PUBLIC;
SELECT padu.rotate_analytics_key();

DROP VIEW analytics.coverage_by_village;
DROP VIEW analytics.deliveries;
DROP VIEW analytics.persons;
DROP VIEW analytics.households;
DROP VIEW analytics.summary_by_village;

-- HMAC-SHA256(secret, kind || ':' || id) as a uuid, inline in each view: views read the key as
-- their owner, and analysts call only core functions.
CREATE VIEW analytics.households AS
SELECT encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('household:' || h.id, 'UTF8'))), 1, 16),
              'hex')::uuid AS household_key,
       h.region_code AS village_code, substr(h.region_code, 1, 8) AS district_code,
       h.decile, h.registry_source, h.registry_as_of,
       (SELECT count(*) FROM padu.household_members m WHERE m.household_id = h.id AND m.valid_to IS NULL) AS members
  FROM padu.households h CROSS JOIN padu.analytics_key k;

CREATE VIEW analytics.persons AS
SELECT encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('person:' || p.id, 'UTF8'))), 1, 16),
              'hex')::uuid AS person_key,
       extract(year FROM p.birth_date)::int AS birth_year, p.sex,
       p.region_code AS village_code, substr(p.region_code, 1, 8) AS district_code,
       CASE WHEN h.id IS NOT NULL THEN
           encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('household:' || h.id, 'UTF8'))), 1, 16),
                  'hex')::uuid END AS household_key,
       h.decile
  FROM padu.persons p
  CROSS JOIN padu.analytics_key k
  LEFT JOIN padu.household_members m ON m.person_id = p.id AND m.valid_to IS NULL
  LEFT JOIN padu.households h ON h.id = m.household_id;

-- One row per delivery: which programme reached which (pseudonymous) person or household, where.
CREATE VIEW analytics.deliveries AS
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
       h.decile IS NOT NULL AS in_registry, d.plan_line_id IS NOT NULL AS coordinated
  FROM padu.deliveries d
  CROSS JOIN padu.analytics_key k
  LEFT JOIN padu.persons p ON p.id = d.person_id
  LEFT JOIN padu.household_members m ON m.person_id = d.person_id AND m.valid_to IS NULL
  LEFT JOIN padu.households h ON h.id = coalesce(d.household_id, m.household_id);

-- Coverage per village and year. A cell under 5 households is NULL; when it is the only NULL of
-- its measure in its district and year, the next-smallest cell is NULL too.
CREATE VIEW analytics.coverage_by_village AS
WITH reached AS (
    SELECT d.fiscal_year, d.village_code, count(DISTINCT d.household_key) AS households_reached,
           count(DISTINCT d.household_key) FILTER (WHERE d.decile BETWEEN 1 AND 4) AS decile_1_4_reached,
           sum(d.value_idr) AS value_idr
      FROM analytics.deliveries d WHERE d.village_code IS NOT NULL
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

-- The precomputed facts by village and year, suppressed the same way.
CREATE VIEW analytics.summary_by_village AS
WITH cells AS (
    SELECT l.fiscal_year, l.location AS village_code, substr(l.location, 1, 8) AS district_code, m.measure, m.v
      FROM padu.summary_location l
     CROSS JOIN LATERAL (VALUES ('households', l.households), ('decile_1_4', l.decile_1_4)) AS m(measure, v)
     WHERE length(l.location) = 13
), counted AS (
    SELECT c.*, (c.v IS NULL OR c.v < 5) AS small,
           count(*) FILTER (WHERE c.v IS NULL OR c.v < 5)
               OVER (PARTITION BY c.fiscal_year, c.district_code, c.measure) AS smalls,
           row_number() OVER (PARTITION BY c.fiscal_year, c.district_code, c.measure, (c.v IS NULL OR c.v < 5)
                              ORDER BY c.v, c.village_code) AS nth
      FROM cells c
), shown AS (
    SELECT fiscal_year, village_code, district_code, measure,
           CASE WHEN small OR (smalls = 1 AND nth = 1) THEN NULL ELSE v END AS v
      FROM counted
)
SELECT s.fiscal_year, s.village_code, s.district_code,
       max(s.v) FILTER (WHERE s.measure = 'households') AS households_reached,
       CASE WHEN max(s.v) FILTER (WHERE s.measure = 'households') IS NOT NULL THEN max(l.persons) END AS persons_reached,
       max(s.v) FILTER (WHERE s.measure = 'decile_1_4') AS decile_1_4_households_reached,
       CASE WHEN max(s.v) FILTER (WHERE s.measure = 'households') IS NOT NULL THEN max(l.value_idr) END AS value_idr
  FROM shown s JOIN padu.summary_location l ON l.fiscal_year = s.fiscal_year AND l.location = s.village_code
 GROUP BY s.fiscal_year, s.village_code, s.district_code;

GRANT SELECT ON analytics.households, analytics.persons, analytics.deliveries, analytics.coverage_by_village,
    analytics.summary_by_village TO padu_analyst;

-- The executive's regions, suppressed the same way within each parent region (the villages of
-- a district, the districts of a regency): the parent's figure minus the shown ones never gives
-- one hidden cell.
CREATE OR REPLACE FUNCTION padu.summary_regions(p_year int, p_level int)
RETURNS TABLE (region_code text, region text, registry_households bigint, households_reached bigint,
               decile_1_4_households_reached bigint, value_delivered_idr bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    WITH scope AS (SELECT padu.current_scope() AS code),
    regions AS (
        SELECT g.code::text AS code, g.name, g.parent_code::text AS parent FROM padu.regions g, scope
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
    ), cells AS (
        SELECT r.code, r.parent, m.measure, m.v
          FROM regions r LEFT JOIN reach x ON x.code = r.code LEFT JOIN registry g ON g.code = r.code
         CROSS JOIN LATERAL (VALUES ('registry', g.households), ('households', x.households),
                                    ('decile_1_4', x.decile_1_4)) AS m(measure, v)
    ), counted AS (
        SELECT c.code, c.measure, c.v, (c.v IS NULL OR c.v < 5) AS small,
               count(*) FILTER (WHERE c.v IS NULL OR c.v < 5) OVER (PARTITION BY c.parent, c.measure) AS smalls,
               row_number() OVER (PARTITION BY c.parent, c.measure, (c.v IS NULL OR c.v < 5)
                                  ORDER BY c.v, c.code) AS nth
          FROM cells c
    ), shown AS (
        SELECT code,
               max(v) FILTER (WHERE measure = 'registry' AND NOT (small OR (smalls = 1 AND nth = 1))) AS registry,
               max(v) FILTER (WHERE measure = 'households' AND NOT (small OR (smalls = 1 AND nth = 1))) AS households,
               max(v) FILTER (WHERE measure = 'decile_1_4' AND NOT (small OR (smalls = 1 AND nth = 1))) AS decile_1_4
          FROM counted GROUP BY code
    )
    SELECT r.code, r.name, s.registry::bigint, s.households::bigint, s.decile_1_4::bigint,
           CASE WHEN s.households IS NOT NULL THEN least(x.value_idr, 9223372036854775807) END::bigint
      FROM regions r JOIN shown s ON s.code = r.code LEFT JOIN reach x ON x.code = r.code
     ORDER BY r.code;
END;
