-- Reference data every role may read: regions, agencies, clusters, funding sources, periods.
SET LOCAL ROLE padu_owner;

-- Kemendagri region codes; loaded from data/wilayah.csv by `padu migrate`.
CREATE TABLE padu.regions (
    code padu.region_code PRIMARY KEY,
    name text NOT NULL CHECK (btrim(name) <> ''),
    level smallint NOT NULL GENERATED ALWAYS AS (length(code) - length(replace(code, '.', '')) + 1) STORED,
    parent_code padu.region_code GENERATED ALWAYS AS (
        CASE WHEN strpos(code, '.') = 0 THEN NULL ELSE regexp_replace(code, '\.[0-9]+$', '') END) STORED
        REFERENCES padu.regions (code)
);
CREATE INDEX regions_parent ON padu.regions (parent_code);

CREATE TABLE padu.agencies (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{1,39}$'),
    name text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    short_name text CHECK (length(short_name) <= 60),
    kind text NOT NULL CHECK (kind IN ('dinas', 'badan', 'secretariat', 'hospital', 'vertical', 'non_government',
                                       'kecamatan', 'other')),
    region_code padu.region_code NOT NULL REFERENCES padu.regions,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE padu.clusters (
    id smallint PRIMARY KEY CHECK (id BETWEEN 1 AND 4),
    name text NOT NULL,
    -- The agency that decides distribution plans of the cluster's programmes (Dinsos in Klaster 1).
    coordinator_agency_id bigint REFERENCES padu.agencies
);

CREATE TABLE padu.cluster_members (
    cluster_id smallint NOT NULL REFERENCES padu.clusters,
    agency_id bigint NOT NULL REFERENCES padu.agencies,
    role text NOT NULL CHECK (role IN ('chair', 'vice_chair', 'member')),
    PRIMARY KEY (cluster_id, agency_id)
);
CREATE UNIQUE INDEX cluster_members_one_chair ON padu.cluster_members (cluster_id) WHERE role = 'chair';
CREATE UNIQUE INDEX cluster_members_one_vice_chair ON padu.cluster_members (cluster_id) WHERE role = 'vice_chair';

-- The coordinator must be a member of its cluster.
ALTER TABLE padu.clusters ADD CONSTRAINT clusters_coordinator_is_member
    FOREIGN KEY (id, coordinator_agency_id) REFERENCES padu.cluster_members (cluster_id, agency_id)
    DEFERRABLE INITIALLY DEFERRED;

INSERT INTO padu.clusters (id, name) VALUES
    (1, 'Bantuan Sosial Terpadu Berbasis Keluarga'),
    (2, 'Pemberdayaan Masyarakat'),
    (3, 'Pemberdayaan Usaha Ekonomi Mikro dan Kecil'),
    (4, 'Program Pro-Rakyat');

CREATE TABLE padu.funding_sources (
    code text PRIMARY KEY CHECK (code ~ '^[A-Z_]+$'),
    name text NOT NULL
);
INSERT INTO padu.funding_sources (code, name) VALUES
    ('APBD_KAB', 'APBD Kabupaten'),
    ('APBD_PROV', 'APBD Provinsi'),
    ('APBN', 'APBN'),
    ('DAK', 'Dana Alokasi Khusus'),
    ('DANA_DESA', 'Dana Desa'),
    ('BAZNAS', 'Baznas / ZIS'),
    ('CSR', 'Corporate Social Responsibility'),
    ('OTHER', 'Lainnya');

-- Quarterly reporting periods; a closed period freezes its submitted reports.
CREATE TABLE padu.reporting_periods (
    period text PRIMARY KEY CHECK (period ~ '^[0-9]{4}-Q[1-4]$'),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_at timestamptz,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);

-- Clusters whose plans the caller's agency decides.
CREATE FUNCTION padu.coordinated_clusters() RETURNS smallint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT coalesce(array_agg(id), '{}') FROM padu.clusters WHERE coordinator_agency_id = padu.current_agency());
GRANT EXECUTE ON FUNCTION padu.coordinated_clusters() TO padu_agency, padu_coordinator, padu_executive, padu_admin;
