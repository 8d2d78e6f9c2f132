import PQ
import PaduCore
import PaduTestSupport
import Testing

@testable import PaduStore

@Suite("RegistryStore")
struct RegistryStoreTests {
    /// A new household in Sekayu: a head (male, 10 March 1985) and a spouse (female, 15 May 1990).
    static func household(village: String = "16.06.01.2001", decile: Int = 3) throws -> RegistryBatch {
        var batch = RegistryBatch()
        let kk = try KK("1606011505199901")
        batch.addHousehold(kk: kk, region: try RegionCode(village), address: "Dusun II", decile: try Decile(decile))
        batch.addPerson(
            household: kk, nik: try NIK("1606011003859901"), name: "Ahmad Sanusi",
            birthDate: CalendarDate(year: 1985, month: 3, day: 10)!, sex: .male, relationship: .head)
        batch.addPerson(
            household: kk, nik: try NIK("1606015505909901"), name: "Siti Aminah",
            birthDate: CalendarDate(year: 1990, month: 5, day: 15)!, sex: .female, relationship: .spouse)
        return batch
    }

    static let asOf = CalendarDate(year: 2019, month: 3, day: 1)!

    @Test("a batch imports households and persons; importing it again changes nothing; a new decile updates")
    func importIsIdempotent() async throws {
        let f = try await Fixture.shared("store_registry")
        let batch = try Self.household()
        #expect(batch.householdCount == 1)
        #expect(batch.personCount == 2)
        let (problems, first) = try await f.tx("dinsos") { tx in
            (
                try await tx.registry.referenceProblems(batch),
                try await tx.registry.importBatch(batch, source: .local, asOf: Self.asOf)
            )
        }
        #expect(problems.regions.isEmpty)
        #expect(problems.nikDistricts.isEmpty)
        #expect(
            first
                == RegistryImportResult(
                    householdsInserted: 1, householdsUpdated: 0, personsInserted: 2, personsUpdated: 0,
                    possibleDuplicatesFound: 0))
        let again = try await f.tx("dinsos") { tx in
            try await tx.registry.importBatch(batch, source: .local, asOf: Self.asOf)
        }
        #expect(
            again
                == RegistryImportResult(
                    householdsInserted: 0, householdsUpdated: 0, personsInserted: 0, personsUpdated: 0,
                    possibleDuplicatesFound: 0))
        let poorer = try await f.tx("dinsos") { tx in
            try await tx.registry.importBatch(try Self.household(decile: 1), source: .local, asOf: Self.asOf)
        }
        #expect(poorer.householdsUpdated == 1)
        #expect(poorer.householdsInserted == 0)
        #expect(poorer.personsInserted == 0)

        let person = try await f.tx("dinsos") { tx in
            try await tx.registry.person(try NIK("1606015505909901"), asCoordinator: true)
        }
        #expect(person?.name == "Siti Aminah")
        #expect(person?.birthDate == "1990-05-15")
        #expect(person?.sex == "F")
        #expect(person?.regionCode == "16.06.01.2001")
        #expect(person?.relationship == "spouse")
        #expect(person?.household?.kk == "1606011505199901")
        #expect(person?.household?.address == "Dusun II")
        // The entry's decile changed in place (same household, source and date), but the trigger
        // that keeps the household's current decile runs only for inserted entries.
        #expect(person?.household?.decile == 1)
    }

    @Test("a person who moves is closed in the old household and opened in the new; relabels and renames count")
    func movesRelabelsAndRenames() async throws {
        let f = try await Fixture.shared("store_registry")
        let asOf = CalendarDate(year: 2020, month: 1, day: 1)!
        let first = try KK("1606011505199902")
        let second = try KK("1606011505199903")
        let head = try NIK("1606011003859902")
        let spouse = try NIK("1606015505909902")
        func batch(spouseIn spouseHousehold: KK, spouseAs relationship: Relationship, headName: String) throws
            -> RegistryBatch
        {
            var batch = RegistryBatch()
            for kk in [first, second] {
                batch.addHousehold(kk: kk, region: try RegionCode("16.06.01.2001"), address: nil, decile: try Decile(4))
            }
            batch.addPerson(
                household: first, nik: head, name: headName, birthDate: CalendarDate(year: 1985, month: 3, day: 10)!,
                sex: .male, relationship: .head)
            batch.addPerson(
                household: spouseHousehold, nik: spouse, name: "Rohani",
                birthDate: CalendarDate(year: 1990, month: 5, day: 15)!, sex: .female, relationship: relationship)
            return batch
        }
        let created = try await f.tx("dinsos") { tx in
            try await tx.registry.importBatch(
                try batch(spouseIn: first, spouseAs: .spouse, headName: "Bambang Irawan"), source: .local,
                asOf: asOf)
        }
        #expect(created.householdsInserted == 2)
        #expect(created.personsInserted == 2)

        // The spouse moves to the second household as its head: one membership closes, one opens.
        let moved = try await f.tx("dinsos") { tx in
            try await tx.registry.importBatch(
                try batch(spouseIn: second, spouseAs: .head, headName: "Bambang Irawan"), source: .local,
                asOf: CalendarDate(year: 2021, month: 6, day: 1)!)
        }
        #expect(moved.personsInserted == 0)
        #expect(moved.householdsInserted == 0)
        #expect(moved.personsUpdated == 1)
        // Same household, another relationship; and a newcomer born the same day in the same
        // district, under a name unlike the head's: no pair yet.
        var withNewcomer = try batch(spouseIn: second, spouseAs: .other, headName: "Bambang Irawan")
        let newcomerKK = try KK("1606011505199904")
        withNewcomer.addHousehold(
            kk: newcomerKK, region: try RegionCode("16.06.01.2001"), address: nil, decile: try Decile(4))
        withNewcomer.addPerson(
            household: newcomerKK, nik: try NIK("1606011003859903"), name: "Joko Santoso",
            birthDate: CalendarDate(year: 1985, month: 3, day: 10)!, sex: .male, relationship: .head)
        let relabelled = try await f.tx("dinsos") { tx in
            try await tx.registry.importBatch(
                withNewcomer, source: .local, asOf: CalendarDate(year: 2021, month: 6, day: 1)!)
        }
        #expect(relabelled.personsInserted == 1)
        #expect(relabelled.personsUpdated == 1)
        #expect(relabelled.possibleDuplicatesFound == 0)
        // The head renamed to a name like the newcomer's: an updated person is searched again.
        let renamed = try await f.tx("dinsos") { tx in
            try await tx.registry.importBatch(
                try batch(spouseIn: second, spouseAs: .other, headName: "Joko Santosa"), source: .local,
                asOf: CalendarDate(year: 2021, month: 6, day: 1)!)
        }
        #expect(renamed.personsUpdated == 1)
        #expect(renamed.personsInserted == 0)
        #expect(renamed.possibleDuplicatesFound == 1)

        let memberships = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT k.kk::text, m.relationship, m.valid_from::text, m.valid_to::text
                  FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
                  JOIN padu.household_kk k ON k.household_id = m.household_id AND k.valid_to IS NULL
                 WHERE p.nik = \(spouse.value) ORDER BY m.valid_from
                """
            ).decode((String, String, String, String?).self)
        }
        #expect(memberships.count == 2)
        #expect(memberships.first?.0 == first.value)
        #expect(memberships.first?.2 == "2020-01-01")
        #expect(memberships.first?.3 == "2021-06-01")
        #expect(memberships.last?.0 == second.value)
        #expect(memberships.last?.1 == "other")
        #expect(memberships.last?.2 == "2021-06-01")
        #expect(memberships.last?.3 == nil)
    }

    @Test("villages that do not exist or lie outside the caller's scope, and unknown NIK districts, are named")
    func referenceProblems() async throws {
        let f = try await Fixture.shared("store_registry")
        var batch = RegistryBatch()
        let kks = try ["1606011505190101", "1606011505190102", "1606011505190103"].map { try KK($0) }
        for (kk, village) in zip(kks, ["16.06.01.2002", "16.06.02.2001", "16.06.01.2999"]) {
            batch.addHousehold(kk: kk, region: try RegionCode(village), address: nil, decile: try Decile(2))
        }
        batch.addPerson(
            household: kks[0], nik: try NIK("1699011003850101"), name: "Tak Dikenal",
            birthDate: CalendarDate(year: 1985, month: 3, day: 10)!, sex: .male, relationship: .head)
        batch.addPerson(
            household: kks[1], nik: try NIK("1606011003850102"), name: "Dikenal",
            birthDate: CalendarDate(year: 1985, month: 3, day: 10)!, sex: .male, relationship: .head)
        // Sekayu's coordinator is scoped to Sekayu: Lais (16.06.02) is outside.
        let sekayu = try await f.tx("sekayu") { tx in try await tx.registry.referenceProblems(batch) }
        #expect(sekayu.regions == [1, 2])
        #expect(sekayu.nikDistricts == [0])
        let regency = try await f.tx("dinsos") { tx in try await tx.registry.referenceProblems(batch) }
        #expect(regency.regions == [2])
    }

    @Test("an agency sees no registry person it has not planned or delivered for; reads are audited")
    func personVisibility() async throws {
        let f = try await Fixture.shared("store_registry")
        let someone = try #require(try await f.registryPersons().first)
        let (byAgency, byCoordinator) = try await (
            f.tx("baznas") { tx in try await tx.registry.person(someone.nik, asCoordinator: false) },
            f.tx("dinsos") { tx in try await tx.registry.person(someone.nik, asCoordinator: true) }
        )
        #expect(byAgency == nil)
        #expect(byCoordinator?.nik == someone.nik.value)
        #expect(byCoordinator?.household?.kk == someone.kk.value)
        #expect(byCoordinator?.household?.decile == someone.decile)
        #expect(byCoordinator?.household?.registrySource == "DTKS")
        let audited = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT count(*) FROM padu.audit_log
                 WHERE action = 'read' AND entity = 'person' AND account_id = \(f.accounts["dinsos"]!)
                   AND entity_id = (SELECT id::text FROM padu.persons WHERE nik = \(someone.nik.value))
                """
            ).first(Int.self)
        }
        #expect(audited == 1)
        let unknown = try await f.tx("dinsos") { tx in
            try await tx.registry.person(try NIK("1606011003850777"), asCoordinator: true)
        }
        #expect(unknown == nil)
    }

    @Test("an agency may not import into the registry")
    func agencyMayNotImport() async throws {
        let f = try await Fixture.shared("store_registry")
        var batch = RegistryBatch()
        let kk = try KK("1606011505190201")
        batch.addHousehold(kk: kk, region: try RegionCode("16.06.01.2003"), address: nil, decile: try Decile(2))
        batch.addPerson(
            household: kk, nik: try NIK("1606011003850201"), name: "Budi",
            birthDate: CalendarDate(year: 1985, month: 3, day: 10)!, sex: .male, relationship: .head)
        let refused = await databaseError {
            _ = try await f.tx("baznas") { tx in
                try await tx.registry.importBatch(batch, source: .local, asOf: Self.asOf)
            }
        }
        #expect(refused == .forbidden)
    }
}
