-- Analysts see coordination too (v1.1, issue 11): plan lines, decisions (flags, acknowledgements,
-- reasons) and progress reports, under the same keyed-hash pseudonyms as 0021 (HMAC-SHA256 of
-- kind and internal id under padu.analytics_key). No NIK, KK, name or API id of a plan or line:
-- a plan id and line number would let an agency user who is also an analyst put a NIK to a
-- person_key. Line-level rejection reasons come without any person or household key.
SET LOCAL ROLE padu_owner;

-- One row per plan line: who (pseudonymous) was planned, by which programme, with what the
-- check flagged and the coordinator acknowledged, and where the decision left it.
CREATE VIEW analytics.plan_lines AS
SELECT encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('plan_line:' || l.id, 'UTF8'))), 1, 16),
              'hex')::uuid AS line_key,
       encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('plan:' || p.id, 'UTF8'))), 1, 16),
              'hex')::uuid AS plan_key,
       l.program_id, l.agency_id, l.fiscal_year, p.period, p.status AS plan_status, l.status AS line_status,
       CASE WHEN l.person_id IS NOT NULL THEN
           encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('person:' || l.person_id, 'UTF8'))), 1, 16),
                  'hex')::uuid END AS person_key,
       CASE WHEN l.household_id IS NOT NULL THEN
           encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('household:' || l.household_id, 'UTF8'))), 1, 16),
                  'hex')::uuid END AS household_key,
       h.region_code AS village_code, substr(h.region_code, 1, 8) AS district_code, h.decile,
       h.decile IS NOT NULL AS in_registry, l.planned_quantity, l.planned_value_idr,
       l.flags, l.acknowledged_flags, l.acknowledged_at, p.submitted_at, p.decided_at
  FROM padu.plan_lines l
  JOIN padu.distribution_plans p ON p.id = l.plan_id
  CROSS JOIN padu.analytics_key k
  LEFT JOIN padu.households h ON h.id = l.household_id;

-- One row per decision: the plan's programme and agency, the deciding agency, the reason, and
-- per flag how many lines carried it, how many were approved with it acknowledged, and how many
-- were rejected.
CREATE VIEW analytics.plan_decisions AS
SELECT encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('plan:' || p.id, 'UTF8'))), 1, 16),
              'hex')::uuid AS plan_key,
       p.program_id, p.agency_id, p.fiscal_year, p.period, d.agency_id AS decided_by_agency_id, d.decision, d.reason,
       d.rejected_lines, d.decided_at,
       (SELECT count(*) FROM padu.plan_lines l WHERE l.plan_id = p.id) AS lines,
       (SELECT count(*) FROM padu.plan_lines l WHERE l.plan_id = p.id AND l.status = 'approved') AS lines_approved,
       (SELECT count(*) FROM padu.plan_lines l WHERE l.plan_id = p.id AND l.flags <> '{}') AS lines_flagged,
       (SELECT coalesce(jsonb_object_agg(f.flag, f.n), '{}'::jsonb)
          FROM (SELECT x.flag, count(*) AS n FROM padu.plan_lines l, unnest(l.flags) AS x(flag)
                 WHERE l.plan_id = p.id GROUP BY x.flag) f) AS flagged_by_flag,
       (SELECT coalesce(jsonb_object_agg(f.flag, f.n), '{}'::jsonb)
          FROM (SELECT x.flag, count(*) AS n FROM padu.plan_lines l, unnest(l.acknowledged_flags) AS x(flag)
                 WHERE l.plan_id = p.id AND l.status = 'approved' GROUP BY x.flag) f) AS acknowledged_by_flag,
       (SELECT coalesce(jsonb_object_agg(f.flag, f.n), '{}'::jsonb)
          FROM (SELECT x.flag, count(*) AS n FROM padu.plan_lines l, unnest(l.flags) AS x(flag)
                 WHERE l.plan_id = p.id AND l.status = 'rejected' GROUP BY x.flag) f) AS rejected_by_flag
  FROM padu.plan_decisions d
  JOIN padu.distribution_plans p ON p.id = d.plan_id
  CROSS JOIN padu.analytics_key k;

-- Why lines were rejected: the coordinator's reason with the line's flags, and no key to the
-- person or household (a reason is free text).
CREATE VIEW analytics.plan_line_rejections AS
SELECT encode(substr(sha256(k.outer_pad || sha256(k.inner_pad || convert_to('plan:' || p.id, 'UTF8'))), 1, 16),
              'hex')::uuid AS plan_key,
       l.program_id, l.agency_id, l.fiscal_year, p.period, l.flags, l.rejection_reason AS reason, p.decided_at
  FROM padu.plan_lines l
  JOIN padu.distribution_plans p ON p.id = l.plan_id
  CROSS JOIN padu.analytics_key k
 WHERE l.status = 'rejected';

-- One row per progress report (a programme's quarter).
CREATE VIEW analytics.progress_reports AS
SELECT r.program_id, r.agency_id, r.period, substr(r.period, 1, 4)::int AS fiscal_year, r.target_quantity,
       r.achieved_quantity, r.status, r.narrative, r.submitted_at, r.updated_at
  FROM padu.progress_reports r;
