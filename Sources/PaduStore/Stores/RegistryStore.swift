import Foundation
import PQ
import PaduCore

/// A registry import, validated, as columns (one entry per household, one per person): the
/// shape in which it travels to the database as a few array parameters.
public struct RegistryBatch: Sendable {
    var kk: [String] = []
    var regionCode: [String] = []
    var address: [String?] = []
    var decile: [Int16] = []
    var personKK: [String] = []
    var nik: [String] = []
    var name: [String] = []
    var birthDate: [String] = []
    var sex: [String] = []
    var relationship: [String] = []

    public init() {}

    /// Households so far.
    public var householdCount: Int { kk.count }

    /// Persons so far.
    public var personCount: Int { nik.count }

    public mutating func addHousehold(kk: KK, region: RegionCode, address: String?, decile: Decile) {
        self.kk.append(kk.value)
        regionCode.append(region.value)
        self.address.append(address)
        self.decile.append(Int16(decile.value))
    }

    public mutating func addPerson(
        household: KK, nik: NIK, name: String, birthDate: CalendarDate, sex: Sex, relationship: Relationship
    ) {
        personKK.append(household.value)
        self.nik.append(nik.value)
        self.name.append(name)
        self.birthDate.append(birthDate.description)
        self.sex.append(sex.rawValue)
        self.relationship.append(relationship.rawValue)
    }
}

/// What an import changed.
public struct RegistryImportResult: Codable, Sendable, Equatable {
    public var householdsInserted: Int
    public var householdsUpdated: Int
    public var personsInserted: Int
    public var personsUpdated: Int
    public var possibleDuplicatesFound: Int
}

/// A registry person as the coordinator, or an agency with aid for them, may see them.
public struct RegistryPerson: Codable, Sendable {
    public struct Household: Codable, Sendable {
        public var kk: String?
        public var regionCode: String
        public var address: String?
        public var decile: Int?
        public var registrySource: String?
        public var registryAsOf: String?
    }
    public var id: Int64
    public var nik: String
    public var name: String
    public var birthDate: String
    public var sex: String
    public var regionCode: String?
    public var relationship: String?
    public var household: Household?
}

/// A household across agencies (`GET /registry/households/{kk}`): its current members and the
/// aid that reached it or is planned for it, from every agency, without amounts.
public struct RegistryHousehold: Codable, Sendable {
    public struct Member: Codable, Sendable, Equatable {
        public var nik: String
        public var name: String
        public var birthDate: String
        public var sex: String
        public var relationship: String
    }
    /// One programme and fiscal year at its furthest stage: `delivered`, `approved` or `submitted`.
    public struct Aid: Codable, Sendable, Equatable {
        public var agency: String
        public var program: String
        public var aidCategory: String
        public var fiscalYear: Int
        public var status: String
        /// Delivered quantity, or planned quantity for approved and submitted lines.
        public var quantity: Int64
        @Nullable public var lastDeliveredOn: String?
    }
    public var kk: String
    public var regionCode: String
    @Nullable public var village: String?
    @Nullable public var decile: Int?
    @Nullable public var registrySource: String?
    @Nullable public var registryAsOf: String?
    /// The fiscal years the aid covers (the request's, or the last two with data); null when
    /// the household has no aid and none were asked for.
    @Nullable public var from: Int?
    @Nullable public var to: Int?
    public var members: [Member]
    public var aid: [Aid]
}

/// The shared social registry: set-based import and person lookup, under the caller's RLS.
public struct RegistryStore: Sendable {
    let connection: PQConnection

    /// Problems only the database can see: villages that do not exist or lie outside the
    /// caller's scope, NIK districts that are not real districts. Keyed by position.
    public func referenceProblems(_ batch: RegistryBatch) async throws -> (regions: [Int], nikDistricts: [Int]) {
        let results = try await connection.pipeline([
            // As in `importBatch`: the village check's estimated cost (84,649 at 9,991 households)
            // passes jit_above_cost a little above 10,000 households.
            "SET LOCAL jit = off",
            """
            SELECT (n - 1)::int8 FROM unnest(\(batch.regionCode)::text[]) WITH ORDINALITY AS r(code, n)
             WHERE NOT EXISTS (SELECT 1 FROM padu.regions g WHERE g.code = r.code AND g.level = 4)
                OR NOT padu.in_scope(r.code, padu.current_scope())
             ORDER BY n
            """,
            """
            SELECT (n - 1)::int8 FROM unnest(\(batch.nik)::text[]) WITH ORDINALITY AS p(nik, n)
             WHERE NOT EXISTS (SELECT 1 FROM padu.regions g WHERE g.code = padu.district_of(p.nik) AND g.level = 3)
             ORDER BY n
            """,
        ])
        return (try results[1].decode(Int.self), try results[2].decode(Int.self))
    }

    /// Writes the batch in the caller's transaction. Households are matched by their current
    /// KK, persons by NIK; unchanged rows are not touched, so a re-import changes nothing.
    ///
    /// Set-based throughout: the batch is staged with its matches and new ids in two statements,
    /// then each table is written by one statement. JIT is off for the transaction: the row-level
    /// security of the registry tables (the agencies' own-recipient subqueries) makes every
    /// statement's estimated cost large, and PostgreSQL spent 2 to 4 s compiling each one with
    /// LLVM: 13 of the import's 20 s of database CPU at 10,000 households (docs/deploy.md).
    public func importBatch(_ batch: RegistryBatch, source: RegistrySource, asOf date: CalendarDate) async throws
        -> RegistryImportResult
    {
        let asOf = date.description
        let results = try await connection.pipeline([
            "SET LOCAL jit = off",
            "SET LOCAL work_mem = '128MB'",
            // Households: matched by current KK (under the caller's row-level security), else a
            // new id. A new household carries the entry this import records, so the entry
            // trigger has no update to make for it.
            """
            CREATE TEMP TABLE import_households ON COMMIT DROP AS
            SELECT t.kk, t.region_code, nullif(t.address, '') AS address, t.decile, k.household_id IS NULL AS is_new,
                   coalesce(k.household_id, nextval(pg_get_serial_sequence('padu.households', 'id'))) AS household_id
              FROM unnest(\(batch.kk)::text[], \(batch.regionCode)::text[], \(batch.address.map { $0 ?? "" })::text[],
                          \(batch.decile)::int2[]) AS t(kk, region_code, address, decile)
              LEFT JOIN padu.household_kk k ON k.kk = t.kk AND k.valid_to IS NULL
            """,
            // Persons: matched by NIK, else a new id; with their household's id and village.
            """
            CREATE TEMP TABLE import_persons ON COMMIT DROP AS
            SELECT t.nik, t.name, t.birth_date::date AS birth_date, t.sex, t.relationship, h.household_id,
                   h.region_code, x.id IS NULL AS is_new, coalesce(x.id, nextval(pg_get_serial_sequence('padu.persons', 'id')))
                   AS person_id, false AS is_updated
              FROM unnest(\(batch.personKK)::text[], \(batch.nik)::text[], \(batch.name)::text[],
                          \(batch.birthDate)::text[], \(batch.sex)::text[], \(batch.relationship)::text[])
                   AS t(kk, nik, name, birth_date, sex, relationship)
              JOIN import_households h ON h.kk = t.kk
              LEFT JOIN padu.persons x ON x.nik = t.nik
            """,
            """
            UPDATE padu.households h SET region_code = i.region_code, address = i.address
              FROM import_households i
             WHERE h.id = i.household_id AND NOT i.is_new
               AND (h.region_code, h.address) IS DISTINCT FROM (i.region_code, i.address)
            """,
            """
            INSERT INTO padu.households (id, region_code, address, decile, registry_source, registry_as_of)
                OVERRIDING SYSTEM VALUE
            SELECT household_id, region_code, address, decile, \(source.rawValue), \(asOf)::date
              FROM import_households WHERE is_new
            """,
            """
            INSERT INTO padu.household_kk (household_id, kk, valid_from)
            SELECT household_id, kk, \(asOf)::date FROM import_households WHERE is_new
            """,
            """
            WITH changed AS (
                INSERT INTO padu.registry_entries (household_id, source, as_of, decile)
                SELECT household_id, \(source.rawValue), \(asOf)::date, decile FROM import_households
                ON CONFLICT (household_id, source, as_of) DO UPDATE SET decile = EXCLUDED.decile
                 WHERE registry_entries.decile <> EXCLUDED.decile
                RETURNING household_id)
            SELECT count(*) FROM changed c JOIN import_households i USING (household_id) WHERE NOT i.is_new
            """,
            // Existing persons whose facts changed; they are searched for duplicates again.
            """
            WITH changed AS (
                UPDATE padu.persons x SET name = p.name, birth_date = p.birth_date, sex = p.sex,
                       region_code = p.region_code
                  FROM import_persons p
                 WHERE x.id = p.person_id AND NOT p.is_new
                   AND (x.name, x.birth_date, x.sex, x.region_code) IS DISTINCT FROM (p.name, p.birth_date, p.sex, p.region_code)
                RETURNING x.id)
            UPDATE import_persons p SET is_updated = true FROM changed c WHERE p.person_id = c.id
            """,
            """
            INSERT INTO padu.persons (id, nik, name, birth_date, sex, region_code) OVERRIDING SYSTEM VALUE
            SELECT person_id, nik, name, birth_date, sex, region_code FROM import_persons WHERE is_new
            """,
            // Membership of persons already registered: close a current one in another
            // household, relabel one in the same household. New persons have none.
            """
            WITH moved AS (
                UPDATE padu.household_members m SET valid_to = greatest(\(asOf)::date, m.valid_from + 1)
                  FROM import_persons p
                 WHERE NOT p.is_new AND m.person_id = p.person_id AND m.valid_to IS NULL
                   AND m.household_id <> p.household_id
                RETURNING m.person_id)
            SELECT count(DISTINCT person_id) FROM moved
            """,
            """
            WITH relabelled AS (
                UPDATE padu.household_members m SET relationship = p.relationship
                  FROM import_persons p
                 WHERE NOT p.is_new AND m.person_id = p.person_id AND m.valid_to IS NULL
                   AND m.household_id = p.household_id AND m.relationship <> p.relationship
                RETURNING m.person_id)
            SELECT count(*) FROM relabelled
            """,
            // A membership for everyone without a current one, from the import's date or, for a
            // registered person, after the end of their last membership.
            """
            INSERT INTO padu.household_members (household_id, person_id, relationship, valid_from)
            SELECT p.household_id, p.person_id, p.relationship, greatest(\(asOf)::date, coalesce(o.last_to, \(asOf)::date))
              FROM import_persons p
              LEFT JOIN (SELECT m.person_id, max(m.valid_to) AS last_to, bool_or(m.valid_to IS NULL) AS has_current
                           FROM padu.household_members m JOIN import_persons q ON q.person_id = m.person_id
                          WHERE NOT q.is_new
                          GROUP BY m.person_id) o ON o.person_id = p.person_id
             WHERE o.has_current IS NOT TRUE
            """,
            """
            SELECT padu.find_possible_duplicates(array_agg(person_id)) FROM import_persons WHERE is_new OR is_updated
            """,
            """
            SELECT (SELECT count(*) FROM import_households WHERE is_new),
                   (SELECT count(*) FROM import_persons WHERE is_new)
            """,
        ])
        // Positions in the pipeline above.
        let householdsUpdatedRows = results[4].affectedRows
        let registryChanged = try results[7].first(Int.self) ?? 0
        let personsUpdated = results[8].affectedRows
        let moved = try results[10].first(Int.self) ?? 0
        let relabelled = try results[11].first(Int.self) ?? 0
        let duplicates = try results[13].first(Int.self) ?? 0
        let (newHouseholds, newPersons) = try results[14].first((Int, Int).self) ?? (0, 0)
        // A household counts once as updated, whether its address, village or decile changed.
        let householdsUpdated = max(householdsUpdatedRows, registryChanged)
        return RegistryImportResult(
            householdsInserted: newHouseholds, householdsUpdated: householdsUpdated, personsInserted: newPersons,
            personsUpdated: max(personsUpdated, moved + relabelled), possibleDuplicatesFound: duplicates)
    }

    /// A person by NIK, if the caller may see them; the read is audited. A coordinator gets the
    /// current household with its KK; an agency (which sees a person only once it planned or
    /// delivered aid to them) gets the household its own plans or deliveries name.
    public func person(_ nik: NIK, asCoordinator withKK: Bool) async throws -> RegistryPerson? {
        let householdOf: PQFragment =
            withKK
            ? """
            (SELECT m.household_id FROM padu.household_members m WHERE m.person_id = p.id AND m.valid_to IS NULL)
            """
            : """
            coalesce((SELECT l.household_id FROM padu.plan_lines l WHERE l.person_id = p.id AND l.household_id IS NOT NULL
                       ORDER BY l.id DESC LIMIT 1),
                     (SELECT d.household_id FROM padu.deliveries d WHERE d.person_id = p.id AND d.household_id IS NOT NULL
                       ORDER BY d.id DESC LIMIT 1))
            """
        // A coordinator also reads the KK, the relationship and where the decile came from;
        // an agency has no grant on those columns.
        let coordinatorColumns: PQFragment =
            withKK
            ? """
            (SELECT k.kk::text FROM padu.household_kk k WHERE k.household_id = h.id AND k.valid_to IS NULL),
            (SELECT m.relationship FROM padu.household_members m
              WHERE m.person_id = p.id AND m.household_id = h.id AND m.valid_to IS NULL),
            h.registry_source, h.registry_as_of::text
            """
            : "NULL::text, NULL::text, NULL::text, NULL::text"
        // One statement: the person, the household, and the audit entry of the read.
        let rows = try await connection.query(
            """
            SELECT p.id, p.nik::text, p.name, p.birth_date::text, p.sex, p.region_code::text,
                   h.id, h.region_code::text, h.address, h.decile::int4, \(coordinatorColumns),
                   padu.audit('read', 'person', p.id::text)
              FROM padu.persons p
              LEFT JOIN padu.households h ON h.id = \(householdOf)
             WHERE p.nik = \(nik.value)
            """)
        guard let row = rows.first else { return nil }
        let (
            id, nikValue, name, birth, sex, region, householdID, householdRegion, address, decile, kk, relationship,
            source, asOf
        ) = try row.decode(
            (
                Int64, String, String, String, String, String?, Int64?, String?, String?, Int?, String?, String?,
                String?,
                String?
            ).self)
        var household: RegistryPerson.Household?
        if householdID != nil, let householdRegion {
            household = RegistryPerson.Household(
                kk: kk, regionCode: householdRegion, address: address, decile: decile, registrySource: source,
                registryAsOf: asOf)
        }
        return RegistryPerson(
            id: id, nik: nikValue, name: name, birthDate: birth, sex: sex, regionCode: region,
            relationship: relationship, household: household)
    }

    /// A household by its current KK, if the caller may view it (`padu.household_view`: a
    /// coordinator any household in its scope, anyone else only households its own approved lines
    /// or deliveries name); the read is audited by the database. Aid of the fiscal years
    /// `from...to`; either may be nil (then the last two years with data).
    public func household(_ kk: KK, from: FiscalYear?, to: FiscalYear?) async throws -> RegistryHousehold? {
        let rows = try await connection.query(
            """
            SELECT kk, region_code, village, decile::int4, registry_source, registry_as_of::text, from_year, to_year,
                   members::text, aid::text
              FROM padu.household_view(\(kk.value), \(from.map { Int32($0.year) }), \(to.map { Int32($0.year) }))
            """)
        guard let row = rows.first else { return nil }
        let (kkValue, region, village, decile, source, asOf, fromYear, toYear, members, aid) = try row.decode(
            (String, String, String?, Int?, String?, String?, Int?, Int?, String, String).self)
        return RegistryHousehold(
            kk: kkValue, regionCode: region, village: village, decile: decile, registrySource: source,
            registryAsOf: asOf, from: fromYear, to: toYear,
            members: try JSONCoding.decoder.decode([RegistryHousehold.Member].self, from: Data(members.utf8)),
            aid: try JSONCoding.decoder.decode([RegistryHousehold.Aid].self, from: Data(aid.utf8)))
    }
}
