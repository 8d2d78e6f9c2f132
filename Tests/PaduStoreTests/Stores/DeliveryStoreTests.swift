import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

@Suite("DeliveryStore")
struct DeliveryStoreTests {
    static let june = CalendarDate(year: 2019, month: 6, day: 10)!
    static let year = try! FiscalYear(2019)

    static func row(_ person: RegistryEntry, on date: CalendarDate = june) throws -> DeliveryInput {
        DeliveryInput(recipient: .nik(person.nik), deliveredOn: date, quantity: 2, valueIDR: try Rupiah(300_000))
    }

    /// An approved plan of Dinkes' PMT-BALITA for `people`.
    static func approvedPlan(_ f: Fixture, _ people: [RegistryEntry]) async throws {
        let pmt = f.programs["PMT-BALITA"]!
        let plan = try await f.tx("dinkes") { tx in
            let plan = try await tx.plans.create(
                programID: pmt, target: .person, fiscalYear: year, period: try Quarter("2019-Q2"),
                recipients: people.map { RecipientInput(.nik($0.nik), plannedQuantity: 5) })
            _ = try await tx.plans.submit(plan.id)
            return plan
        }
        try await f.tx("dinsos") { tx in try await tx.plans.decide(plan.id, .approve, reason: nil, rejecting: []) }
    }

    @Test("a coordinated programme's batch names every row without an approved line, and records nothing")
    func noApprovedLine() async throws {
        let f = try await Fixture.shared("store_deliveries")
        let people = Array(try await f.registryPersons().prefix(3))
        let pmt = f.programs["PMT-BALITA"]!
        let refused = await #expect(throws: DeliveryError.self) {
            _ = try await f.tx("dinkes") { tx in
                try await tx.deliveries.record(programID: pmt, coordinated: true, try people.map { try Self.row($0) })
            }
        }
        #expect(refused == .noApprovedLine(positions: [0, 1, 2]))
    }

    @Test("with an approved line a delivery is recorded and linked to it; other rows still need theirs")
    func recordedAgainstLine() async throws {
        let f = try await Fixture.shared("store_deliveries")
        let people = Array(try await f.registryPersons().dropFirst(3).prefix(2))
        try #require(people.count == 2)
        let pmt = f.programs["PMT-BALITA"]!
        try await Self.approvedPlan(f, [people[0]])

        let partly = await #expect(throws: DeliveryError.self) {
            _ = try await f.tx("dinkes") { tx in
                try await tx.deliveries.record(
                    programID: pmt, coordinated: true, [try Self.row(people[0]), try Self.row(people[1])])
            }
        }
        #expect(partly == .noApprovedLine(positions: [1]))
        // The line is for 2019: a delivery in 2020 has none.
        let nextYear = await #expect(throws: DeliveryError.self) {
            _ = try await f.tx("dinkes") { tx in
                try await tx.deliveries.record(
                    programID: pmt, coordinated: true,
                    [try Self.row(people[0], on: CalendarDate(year: 2020, month: 1, day: 5)!)])
            }
        }
        #expect(nextYear == .noApprovedLine(positions: [0]))

        let recorded = try await f.tx("dinkes") { tx in
            try await tx.deliveries.record(programID: pmt, coordinated: true, [try Self.row(people[0])])
        }
        #expect(recorded == 1)
        let (listed, otherYear) = try await f.tx("dinkes") { tx in
            (
                try await tx.deliveries.list(programID: pmt, year: Self.year, after: 0, limit: 50),
                try await tx.deliveries.list(programID: pmt, year: try FiscalYear(2018), after: 0, limit: 50)
            )
        }
        let delivery = try #require(listed.first { $0.nik == people[0].nik.value })
        #expect(delivery.programID == pmt)
        #expect(delivery.fiscalYear == Self.year)
        #expect(delivery.kk == nil)
        #expect(delivery.deliveredOn == Self.june)
        #expect(delivery.quantity == 2)
        #expect(delivery.valueIDR == (try Rupiah(300_000)))
        #expect(delivery.planLineID != nil)
        #expect(!listed.contains { $0.nik == people[1].nik.value })
        #expect(otherYear.isEmpty)

        // The agency now sees the person it delivered to.
        let seen = try await f.tx("dinkes") { tx in try await tx.registry.person(people[0].nik, asCoordinator: false) }
        #expect(seen?.nik == people[0].nik.value)
    }

    @Test("a household programme delivers by KK against its approved line; a rejected line is no line")
    func householdsByKK() async throws {
        let f = try await Fixture.shared("store_deliveries")
        let households = try await f.registryPersons().map(\.kk)
        var seen: Set<KK> = []
        let kks = Array(households.filter { seen.insert($0).inserted }.suffix(2))
        try #require(kks.count == 2)
        let bedahRumah = f.programs["BEDAH-RUMAH"]!
        let plan = try await f.tx("baznas") { tx in
            let plan = try await tx.plans.create(
                programID: bedahRumah, target: .household, fiscalYear: Self.year, period: try Quarter("2019-Q2"),
                recipients: kks.map { RecipientInput(.kk($0)) })
            _ = try await tx.plans.submit(plan.id)
            return plan
        }
        // Line 0 is approved with whatever the check flagged on it acknowledged (v1.1).
        let flags = plan.recipients?.first?.flags ?? []
        try await f.tx("dinsos") { tx in
            try await tx.plans.decide(
                plan.id, .approve, reason: nil, rejecting: [LineRejection(lineNo: 1, reason: "sudah layak huni")],
                acknowledging: [LineAcknowledgement(lineNo: 0, flags: flags)])
        }
        let rows = kks.map {
            DeliveryInput(recipient: .kk($0), deliveredOn: Self.june, quantity: 1, valueIDR: try! Rupiah(20_000_000))
        }
        let rejectedLine = await #expect(throws: DeliveryError.self) {
            _ = try await f.tx("baznas") { tx in
                try await tx.deliveries.record(programID: bedahRumah, coordinated: true, rows)
            }
        }
        // The coordinator's reason comes with the refusal, for the API to quote.
        #expect(rejectedLine == .noApprovedLine(positions: [1], rejectionReasons: [1: "sudah layak huni"]))
        let recorded = try await f.tx("baznas") { tx in
            try await tx.deliveries.record(programID: bedahRumah, coordinated: true, [rows[0]])
        }
        #expect(recorded == 1)
        let listed = try await f.tx("baznas") { tx in
            try await tx.deliveries.list(programID: bedahRumah, year: Self.year, after: 0, limit: 50)
        }
        #expect(listed.map(\.kk) == [kks[0].value])
        #expect(listed.first?.nik == nil)
        #expect(listed.first?.planLineID != nil)
    }

    @Test("told a coordinated programme is not, the store still meets the database's rule")
    func databaseKeepsTheRule() async throws {
        let f = try await Fixture.shared("store_deliveries")
        let person = try #require(try await f.registryPersons().dropFirst(5).first)
        let refused = await databaseError {
            _ = try await f.tx("dinkes") { tx in
                try await tx.deliveries.record(
                    programID: f.programs["PMT-BALITA"]!, coordinated: false, [try Self.row(person)])
            }
        }
        #expect(refused == .rule(.deliveryNeedsApprovedLine, column: "plan_line_id"))
    }

    @Test("a programme without coordination records deliveries with no plan line")
    func uncoordinated() async throws {
        let f = try await Fixture.shared("store_deliveries")
        let person = try #require(try await f.registryPersons().dropFirst(6).first)
        let programme = try await f.tx("dinkes") { tx in
            try await tx.programs.create(
                NewProgram(
                    code: "IMUNISASI", name: "Imunisasi Dasar Lengkap", clusterID: 1, aidKind: .service,
                    aidCategory: .other,
                    target: .person, unit: "anak"))
        }
        _ = try await f.tx("admin") { tx in try await tx.programs.setRequiresCoordination(programme.id, false) }
        let recorded = try await f.tx("dinkes") { tx in
            try await tx.deliveries.record(programID: programme.id, coordinated: false, [try Self.row(person)])
        }
        #expect(recorded == 1)
        let listed = try await f.tx("dinkes") { tx in
            try await tx.deliveries.list(programID: programme.id, year: nil, after: 0, limit: 50)
        }
        #expect(listed.count == 1)
        #expect(listed.first?.planLineID == nil)
        #expect(listed.first?.nik == person.nik.value)
    }

    @Test("another agency sees none of a programme's deliveries and cannot record any")
    func otherAgency() async throws {
        let f = try await Fixture.shared("store_deliveries")
        let person = try #require(try await f.registryPersons().dropFirst(7).first)
        let pmt = f.programs["PMT-BALITA"]!
        let listed = try await f.tx("baznas") { tx in
            try await tx.deliveries.list(programID: pmt, year: nil, after: 0, limit: 50)
        }
        #expect(listed.isEmpty)
        let refused = await databaseError {
            _ = try await f.tx("baznas") { tx in
                try await tx.deliveries.record(programID: pmt, coordinated: false, [try Self.row(person)])
            }
        }
        // The programme is not the agency's: the key (program_id, agency_id) refuses the row before
        // the statement-level coordination rule (0055) would (a foreign key until 0096, since then
        // a statement-level check that reports the key's name and code).
        #expect(refused == .danglingReference(field: "deliveries_program_id_agency_id_fkey"))
    }
}
