import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

@Suite("DuplicateStore")
struct DuplicateStoreTests {
    /// Imports the "same" person as `person` again, under another NIK and with a misspelt name;
    /// returns the twin's NIK.
    static func importTwin(of person: RegistryEntry, serial: String, kk: String, _ f: Fixture) async throws -> NIK {
        var digits = Array(person.nik.value)
        digits.replaceSubrange(12..<16, with: Array(serial))
        let twin = try NIK(String(digits))
        var batch = RegistryBatch()
        let household = try KK(kk)
        batch.addHousehold(kk: household, region: try RegionCode(person.village), address: nil, decile: try Decile(2))
        batch.addPerson(
            household: household, nik: twin, name: person.name + "h", birthDate: CalendarDate(person.birthDate)!,
            sex: try Sex(person.sex), relationship: .head)
        let result = try await f.tx("dinsos") { tx in
            try await tx.registry.importBatch(batch, source: .local, asOf: CalendarDate(year: 2019, month: 3, day: 1)!)
        }
        #expect(result.possibleDuplicatesFound >= 1)
        return twin
    }

    @Test("an import queues a near-identical pair; the coordinator records a finding once, and nothing is merged")
    func reviewQueue() async throws {
        let f = try await Fixture.shared("store_duplicates")
        let people = try await f.registryPersons().filter { $0.name.count > 6 }
        let person = try #require(people.first)
        let twin = try await Self.importTwin(of: person, serial: "8888", kk: "1606011503199999", f)

        let pending = try await f.tx("dinsos") { tx in try await tx.duplicates.list(status: .pending, limit: 100) }
        let pair = try #require(
            pending.first { Set([$0.personA.nik, $0.personB.nik]) == [person.nik.value, twin.value] })
        #expect(pair.personA.id < pair.personB.id)
        #expect(pair.status == .pending)
        #expect(pair.similarity >= 0.5 && pair.similarity <= 1)
        #expect(pair.personA.birthDate == person.birthDate)

        // Either order names the same pair.
        let decided = try await f.tx("dinsos") { tx in
            try await tx.duplicates.decide(personA: pair.personB.id, personB: pair.personA.id, .different)
        }
        #expect(decided)
        let (stillPending, different) = try await f.tx("dinsos") { tx in
            (
                try await tx.duplicates.list(status: .pending, limit: 100),
                try await tx.duplicates.list(status: .different, limit: 100)
            )
        }
        #expect(!stillPending.contains { $0.personA.id == pair.personA.id && $0.personB.id == pair.personB.id })
        #expect(different.contains { $0.personA.id == pair.personA.id && $0.personB.id == pair.personB.id })
        #expect(different.allSatisfy { $0.status == .different })

        let (persons, audited) = try await f.database.withAdmin { c in
            (
                try await c.query("SELECT count(*) FROM padu.persons WHERE nik IN (\(person.nik.value), \(twin.value))")
                    .first(Int.self),
                try await c.query(
                    """
                    SELECT count(*) FROM padu.audit_log WHERE action = 'review_duplicate'
                       AND entity_id = \("\(pair.personA.id)-\(pair.personB.id)")
                    """
                ).first(Int.self)
            )
        }
        #expect(persons == 2)
        #expect(audited == 1)
    }

    @Test("a pair that does not exist is not decided, and is not audited")
    func unknownPair() async throws {
        let f = try await Fixture.shared("store_duplicates")
        let decided = try await f.tx("dinsos") { tx in
            try await tx.duplicates.decide(personA: -2, personB: -1, .samePerson)
        }
        #expect(!decided)
    }

    @Test("the queue is the coordinator's: an agency may neither read nor decide it")
    func agenciesShutOut() async throws {
        let f = try await Fixture.shared("store_duplicates")
        let read = await databaseError {
            _ = try await f.tx("dinkes") { tx in try await tx.duplicates.list(status: .pending, limit: 10) }
        }
        #expect(read == .forbidden)
        let decide = await databaseError {
            _ = try await f.tx("dinkes") { tx in try await tx.duplicates.decide(personA: 1, personB: 2, .different) }
        }
        #expect(decide == .forbidden)
    }

    @Test("a coordinator sees only pairs in its region scope")
    func scoped() async throws {
        let f = try await Fixture.shared("store_duplicates")
        let outside = try #require(
            try await f.registryPersons().last { !$0.village.hasPrefix("16.06.01.") && $0.name.count > 6 })
        let twin = try await Self.importTwin(of: outside, serial: "7777", kk: "1606011503197777", f)
        let (regency, sekayu) = try await (
            f.tx("dinsos") { tx in try await tx.duplicates.list(status: .pending, limit: 100) },
            f.tx("sekayu") { tx in try await tx.duplicates.list(status: .pending, limit: 100) }
        )
        #expect(regency.contains { [$0.personA.nik, $0.personB.nik].contains(twin.value) })
        #expect(!sekayu.contains { [$0.personA.nik, $0.personB.nik].contains(twin.value) })
        #expect(sekayu.allSatisfy { ($0.personA.regionCode ?? "").hasPrefix("16.06.01") })
    }
}
