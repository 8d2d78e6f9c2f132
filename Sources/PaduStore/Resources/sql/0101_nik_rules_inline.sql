-- The NIK's rules, unchanged, written so that PostgreSQL inlines them into the statements that
-- check them. Measured (a persons insert of 736,688 rows, perf on the backend, 2 December 2026):
-- 40 % of its CPU went to calling two SQL functions once per row each, every call starting a
-- small executor of its own, because the planner would not inline them:
-- - `nik_matches` called `to_char`, which is only STABLE, from an IMMUTABLE function;
-- - `nik_is_valid` passed `ddmmyy_is_valid` a day expression that the planner counts as too
--   expensive to repeat (the function reads its day twice).
-- The same answers, checked for every DDMMYY with valid and invalid prefixes and serials and for
-- every date from 1890 to 2110 with each sex (`Tests/PaduStoreTests/NIKRulesTests.swift` keeps
-- a sample of that comparison), now from immutable, cheap expressions.
SET LOCAL ROLE padu_owner;

CREATE OR REPLACE FUNCTION padu.nik_matches(nik text, birth_date date, sex text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN substr(nik, 7, 6) = lpad((extract(day FROM birth_date)::int + CASE WHEN sex = 'F' THEN 40 ELSE 0 END)::text, 2, '0')
                           || lpad(extract(month FROM birth_date)::int::text, 2, '0')
                           || lpad((extract(year FROM birth_date)::int % 100)::text, 2, '0');

-- The day of birth: DD, or DD - 40 for women (40 itself stays invalid either way: 0 or 40).
CREATE OR REPLACE FUNCTION padu.nik_is_valid(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN v IS NULL THEN NULL
    WHEN v !~ '^[0-9]{16}$' THEN false
    ELSE substr(v, 1, 2) <> '00' AND substr(v, 3, 2) <> '00' AND substr(v, 5, 2) <> '00'
         AND substr(v, 13, 4) <> '0000'
         AND padu.ddmmyy_is_valid(substr(v, 7, 2)::int - CASE WHEN substr(v, 7, 1) >= '4' THEN 40 ELSE 0 END,
                                  substr(v, 9, 2)::int, substr(v, 11, 2)::int)
    END;
