-- The shared social registry: households, their KK numbers over time, persons, membership,
-- and registry entries (DTKS/DTSEN/local) with a welfare decile. Personal data: readable by
-- the coordinator in its scope, by an agency only for its own recipients, by nobody else.
SET LOCAL ROLE padu_owner;

CREATE TABLE padu.households (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The village (desa/kelurahan) the household lives in.
    region_code padu.region_code NOT NULL REFERENCES padu.regions CHECK (length(region_code) = 13),
    address text CHECK (length(address) <= 500),
    -- The latest registry entry, kept by a trigger on registry_entries.
    decile smallint CHECK (decile BETWEEN 1 AND 10),
    registry_source text,
    registry_as_of date,
    -- A random key for analysts: stable, and unlinkable to anything personal.
    pseudonym uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX households_region ON padu.households (region_code);
CREATE TRIGGER households_touch BEFORE UPDATE ON padu.households
    FOR EACH ROW EXECUTE FUNCTION padu.touch_updated_at();

-- KK numbers change over a family's life (move, split, death of the head): never a key.
CREATE TABLE padu.household_kk (
    household_id bigint NOT NULL REFERENCES padu.households ON DELETE CASCADE,
    kk padu.kk NOT NULL,
    valid_from date NOT NULL,
    valid_to date,
    PRIMARY KEY (kk, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX household_kk_current ON padu.household_kk (kk) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX household_kk_current_household ON padu.household_kk (household_id) WHERE valid_to IS NULL;

-- Does a birth date and sex agree with what the NIK encodes (DDMMYY, day + 40 for women)?
CREATE FUNCTION padu.nik_matches(nik text, birth_date date, sex text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN substr(nik, 7, 6) = to_char(extract(day FROM birth_date)::int + CASE WHEN sex = 'F' THEN 40 ELSE 0 END, 'FM00')
                           || to_char(birth_date, 'MMYY');
GRANT EXECUTE ON FUNCTION padu.nik_matches(text, date, text) TO padu_agency, padu_coordinator;

-- One person per NIK across all agencies.
CREATE TABLE padu.persons (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nik padu.nik NOT NULL UNIQUE,
    name text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    birth_date date NOT NULL CHECK (birth_date > '1890-01-01'),
    sex text NOT NULL CHECK (sex IN ('M', 'F')),
    -- The village of the person's current household (kept by the registry import).
    region_code padu.region_code REFERENCES padu.regions,
    -- The district of first registration, from the NIK: it must be a real district.
    nik_district padu.region_code NOT NULL GENERATED ALWAYS AS (padu.district_of(nik)) STORED
        REFERENCES padu.regions,
    pseudonym uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT persons_nik_matches_birth CHECK (padu.nik_matches(nik, birth_date, sex))
);
CREATE INDEX persons_region ON padu.persons (region_code);
-- Possible duplicates: same birth date and district, similar name.
CREATE INDEX persons_birth_district ON padu.persons (birth_date, (substr(region_code, 1, 8)));
CREATE TRIGGER persons_touch BEFORE UPDATE ON padu.persons
    FOR EACH ROW EXECUTE FUNCTION padu.touch_updated_at();

CREATE TABLE padu.household_members (
    household_id bigint NOT NULL REFERENCES padu.households ON DELETE CASCADE,
    person_id bigint NOT NULL REFERENCES padu.persons ON DELETE CASCADE,
    relationship text NOT NULL CHECK (relationship IN ('head', 'spouse', 'child', 'child_in_law', 'grandchild',
                                                       'parent', 'parent_in_law', 'other_relative', 'other')),
    valid_from date NOT NULL,
    valid_to date,
    PRIMARY KEY (person_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX household_members_current ON padu.household_members (person_id) WHERE valid_to IS NULL;
CREATE INDEX household_members_household ON padu.household_members (household_id) WHERE valid_to IS NULL;

CREATE TABLE padu.registry_entries (
    household_id bigint NOT NULL REFERENCES padu.households ON DELETE CASCADE,
    source text NOT NULL CHECK (source IN ('DTKS', 'DTSEN', 'LOCAL')),
    as_of date NOT NULL,
    decile smallint NOT NULL CHECK (decile BETWEEN 1 AND 10),
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (household_id, source, as_of)
);

-- Keep households' current decile: the entry with the latest as_of wins.
CREATE FUNCTION padu.registry_entries_current() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    UPDATE padu.households h
       SET decile = n.decile, registry_source = n.source, registry_as_of = n.as_of
      FROM (SELECT DISTINCT ON (household_id) household_id, decile, source, as_of
              FROM new_rows ORDER BY household_id, as_of DESC) n
     WHERE h.id = n.household_id
       AND (h.registry_as_of IS NULL OR h.registry_as_of <= n.as_of)
       AND (h.decile, h.registry_source, h.registry_as_of) IS DISTINCT FROM (n.decile, n.source, n.as_of);
    RETURN NULL;
END
$$;
CREATE TRIGGER registry_entries_current AFTER INSERT ON padu.registry_entries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION padu.registry_entries_current();
