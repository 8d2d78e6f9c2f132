-- Schema-wide rules: closed by default, domains for the identifiers, the request context.
SET LOCAL ROLE padu_owner;

REVOKE ALL ON SCHEMA padu FROM PUBLIC;
GRANT USAGE ON SCHEMA padu TO padu_api, padu_agency, padu_coordinator, padu_executive, padu_admin;
-- Functions are executable by PUBLIC unless revoked: close every function we create.
ALTER DEFAULT PRIVILEGES FOR ROLE padu_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE padu_owner IN SCHEMA padu REVOKE ALL ON TABLES FROM PUBLIC;

-- A Kemendagri region code: 16, 16.06, 16.06.01, 16.06.01.2001. C collation so prefix
-- comparisons use ordinary btree indexes.
CREATE DOMAIN padu.region_code AS text COLLATE "C"
    CHECK (VALUE ~ '^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$');

-- Whole rupiah; at most 10^15 (a thousand trillion), so sums of many never overflow bigint.
CREATE DOMAIN padu.rupiah AS bigint CHECK (VALUE BETWEEN 0 AND 1000000000000000);

-- DDMMYY is a real day; the century is unknown, so 29 February needs only YY divisible by 4.
CREATE FUNCTION padu.ddmmyy_is_valid(d int, m int, yy int) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN m BETWEEN 1 AND 12 AND d >= 1 AND d <= CASE
    WHEN m = 2 THEN CASE WHEN yy % 4 = 0 THEN 29 ELSE 28 END
    WHEN m IN (4, 6, 9, 11) THEN 30
    ELSE 31 END;

-- NIK: PPRRDD (no 00 part), DDMMYY birth date with day + 40 for women, serial not 0000.
-- CASE keeps the casts from running on text that is not 16 digits.
CREATE FUNCTION padu.nik_is_valid(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN v IS NULL THEN NULL
    WHEN v !~ '^[0-9]{16}$' THEN false
    ELSE substr(v, 1, 2) <> '00' AND substr(v, 3, 2) <> '00' AND substr(v, 5, 2) <> '00'
         AND substr(v, 13, 4) <> '0000'
         AND padu.ddmmyy_is_valid(
                 CASE WHEN substr(v, 7, 2)::int > 40 THEN substr(v, 7, 2)::int - 40 ELSE substr(v, 7, 2)::int END,
                 substr(v, 9, 2)::int, substr(v, 11, 2)::int)
    END;

-- KK: issuing region PPRRDD, registration date DDMMYY, serial not 0000.
CREATE FUNCTION padu.kk_is_valid(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN v IS NULL THEN NULL
    WHEN v !~ '^[0-9]{16}$' THEN false
    ELSE substr(v, 1, 2) <> '00' AND substr(v, 3, 2) <> '00' AND substr(v, 5, 2) <> '00'
         AND substr(v, 13, 4) <> '0000'
         AND padu.ddmmyy_is_valid(substr(v, 7, 2)::int, substr(v, 9, 2)::int, substr(v, 11, 2)::int)
    END;

CREATE DOMAIN padu.nik AS text CHECK (padu.nik_is_valid(VALUE));
CREATE DOMAIN padu.kk AS text CHECK (padu.kk_is_valid(VALUE));

-- '160601' district of a NIK or KK as a region code.
CREATE FUNCTION padu.district_of(id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN substr(id, 1, 2) || '.' || substr(id, 3, 2) || '.' || substr(id, 5, 2);

-- A code is in a scope when it is the scope or below it.
CREATE FUNCTION padu.in_scope(code text, scope text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN scope IS NOT NULL AND (code = scope OR starts_with(code, scope || '.'));

-- The request context, set by the API per transaction with set_config(..., true).
-- Policies call these as (SELECT padu.current_agency()) so they run once per statement.
CREATE FUNCTION padu.current_account() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
RETURN nullif(current_setting('padu.account_id', true), '')::bigint;

CREATE FUNCTION padu.current_agency() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
RETURN nullif(current_setting('padu.agency_id', true), '')::bigint;

CREATE FUNCTION padu.current_scope() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN nullif(current_setting('padu.scope', true), '');

CREATE FUNCTION padu.current_request() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN nullif(current_setting('padu.request_id', true), '');

GRANT EXECUTE ON FUNCTION padu.ddmmyy_is_valid(int, int, int), padu.nik_is_valid(text), padu.kk_is_valid(text),
    padu.district_of(text), padu.in_scope(text, text), padu.current_account(), padu.current_agency(),
    padu.current_scope(), padu.current_request()
    TO padu_agency, padu_coordinator, padu_executive, padu_admin;

-- Touch updated_at on every update.
CREATE FUNCTION padu.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
GRANT EXECUTE ON FUNCTION padu.touch_updated_at() TO padu_agency, padu_coordinator, padu_executive, padu_admin;
