import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

@Suite("PlanStore")
struct PlanStoreTests {
    static let year = try! FiscalYear(2019)
    static let planned = try! Rupiah(150_000)

    /// A draft plan of Dinkes' PMT-BALITA for `people`, created through the store.
    static func draft(_ f: Fixture, _ people: [RegistryEntry], period: String = "2019-Q2") async throws -> Plan {
        try await f.tx("dinkes") { tx in
            try await tx.plans.create(
                programID: f.programs["PMT-BALITA"]!, target: .person, fiscalYear: year, period: try Quarter(period),
                recipients: people.map { RecipientInput(.nik($0.nik), plannedValueIDR: planned) })
        }
    }

    @Test("the check flags each recipient from the registry and the list, without names")
    func check() async throws {
        let f = try await Fixture.shared("store_plans")
        let poor = try #require(try await f.registryPersons(decile: 1...4).first)
        let better = try #require(try await f.registryPersons(decile: 5...10).first)
        let outsider = try NIK("1606011003859901")  // well formed, not in the registry
        let recipients = [
            RecipientInput(.nik(poor.nik)), RecipientInput(.nik(better.nik)), RecipientInput(.nik(outsider)),
            RecipientInput(RecipientID(.nik, "160601100385")), RecipientInput(.nik(try NIK("1699011003859901"))),
            RecipientInput(.nik(poor.nik), plannedQuantity: 2),
        ]
        let (target, checks) = try await f.tx("dinkes") { tx in
            let target = try #require(try await tx.plans.programTarget(f.programs["PMT-BALITA"]!))
            return (
                target,
                try await tx.plans.check(
                    programID: f.programs["PMT-BALITA"]!, fiscalYear: Self.year, recipients: recipients, target: target)
            )
        }
        #expect(target == .person)
        #expect(
            checks.map(\.flags) == [
                [.duplicateInPlan], [.decileAbove4], [.notInRegistry], [.invalidID], [.invalidID], [.duplicateInPlan],
            ])
        #expect(checks.map(\.valid) == [true, true, true, false, false, true])
        #expect(checks.map(\.inRegistry) == [true, true, false, false, false, true])
        #expect(checks[0].nik == poor.nik.value)
        #expect(checks[0].kk == nil)
        #expect(checks[0].decile == poor.decile)
        #expect(checks[0].registryAsOf == "2019-01-31")
        #expect(checks[0].otherAid.isEmpty)
        #expect(checks[3].nik == "160601100385", "a malformed number comes back as it was written")
        #expect(checks[3].decile == nil)
        #expect(checks[5].plannedQuantity == 2)
    }

    @Test("a household programme flags two members of one household as the same recipient")
    func householdTarget() async throws {
        let f = try await Fixture.shared("store_plans")
        let people = try await f.registryPersons()
        let household = try #require(Dictionary(grouping: people, by: \.kk.value).values.first { $0.count >= 2 })
        let checks = try await f.tx("baznas") { tx in
            try await tx.plans.check(
                programID: f.programs["BEDAH-RUMAH"]!, fiscalYear: Self.year,
                recipients: [RecipientInput(.nik(household[0].nik)), RecipientInput(.nik(household[1].nik))],
                target: .household)
        }
        #expect(checks.map { $0.flags.contains(.duplicateInPlan) } == [true, true])
    }

    @Test("a programme the caller may not check is refused by the database, and has no target for it")
    func notCheckable() async throws {
        let f = try await Fixture.shared("store_plans")
        let someone = try #require(try await f.registryPersons().first)
        let bpjs = f.programs["PBI-JK"]!
        let target = try await f.tx("dinkes") { tx in try await tx.plans.programTarget(bpjs) }
        #expect(target == nil)
        let refused = await databaseError {
            _ = try await f.tx("dinkes") { tx in
                try await tx.plans.check(
                    programID: bpjs, fiscalYear: Self.year, recipients: [RecipientInput(.nik(someone.nik))],
                    target: .person)
            }
        }
        #expect(refused == .rule(.programmeNotFound, column: nil))
    }

    @Test("a plan is created as a draft of pending lines, submitted by its agency, and decided by the coordinator")
    func lifecycle() async throws {
        let f = try await Fixture.shared("store_plans")
        let people = Array(try await f.registryPersons(decile: 1...4).dropFirst(1).prefix(3))
        try #require(people.count == 3)
        let created = try await Self.draft(f, people)
        #expect(created.programID == f.programs["PMT-BALITA"])
        #expect(created.agencyID == f.agencies["DINKES"])
        #expect(created.fiscalYear == Self.year)
        #expect(created.period == (try Quarter("2019-Q2")))
        #expect(created.status == .draft)
        #expect(created.submittedAt == nil)
        #expect(created.recipientCount == 3)
        #expect(created.approvedCount == 0)
        #expect(created.recipients?.map(\.lineNo) == [0, 1, 2])
        #expect(created.recipients?.map(\.status) == [.pending, .pending, .pending])
        #expect(created.recipients?.map(\.plannedValueIDR) == Array(repeating: Optional(Self.planned), count: 3))

        let (found, drafts, lines, submitted) = try await f.tx("dinkes") { tx in
            (
                try await tx.plans.find(created.id),
                try await tx.plans.list(after: 0, limit: 100, status: .draft),
                try await tx.plans.lineNumbers(created.id),
                try await tx.plans.submit(created.id)
            )
        }
        #expect(found?.recipients?.map(\.nik) == people.map(\.nik.value))
        #expect(found?.recipients?.map(\.flags) == [[], [], []])
        #expect(drafts.contains { $0.id == created.id })
        #expect(drafts.allSatisfy { $0.status == .draft })
        #expect(lines == Dictionary(uniqueKeysWithValues: people.enumerated().map { ($1.nik.value, $0) }))
        #expect(submitted)

        let (header, decides) = try await f.tx("dinsos") { tx in
            (try await tx.plans.header(created.id), try await tx.plans.decides(created.id))
        }
        #expect(header?.status == .submitted)
        #expect(header?.submittedAt != nil)
        #expect(decides)

        try await f.tx("dinsos") { tx in
            try await tx.plans.decide(
                created.id, .approve, reason: nil,
                rejecting: [LineRejection(lineNo: 1, reason: "sudah menerima dari program lain")])
        }
        let decided = try #require(try await f.tx("dinkes") { tx in try await tx.plans.find(created.id) })
        #expect(decided.status == .approved)
        #expect(decided.decidedAt != nil)
        #expect(decided.approvedCount == 2)
        #expect(decided.recipients?.map(\.status) == [.approved, .rejected, .approved])
        #expect(decided.recipients?[1].rejectionReason == "sudah menerima dari program lain")

        let again = await databaseError {
            try await f.tx("dinsos") { tx in try await tx.plans.decide(created.id, .reject, reason: "x", rejecting: [])
            }
        }
        #expect(again == .rule(.planState, column: nil))
        let resubmitted = await databaseError {
            _ = try await f.tx("dinkes") { tx in try await tx.plans.submit(created.id) }
        }
        #expect(resubmitted == .rule(.planState, column: nil))
    }

    @Test("a rejection rejects every line with the plan's reason")
    func rejection() async throws {
        let f = try await Fixture.shared("store_plans")
        let people = Array(try await f.registryPersons(decile: 5...10).dropFirst(1).prefix(2))
        let plan = try await Self.draft(f, people, period: "2019-Q3")
        _ = try await f.tx("dinkes") { tx in try await tx.plans.submit(plan.id) }
        try await f.tx("dinsos") { tx in
            try await tx.plans.decide(plan.id, .reject, reason: "desil di atas 4", rejecting: [])
        }
        let (decided, rejected) = try await f.tx("dinkes") { tx in
            (try await tx.plans.find(plan.id), try await tx.plans.list(after: 0, limit: 100, status: .rejected))
        }
        #expect(decided?.status == .rejected)
        #expect(decided?.decisionReason == "desil di atas 4")
        #expect(decided?.recipients?.map(\.status) == [.rejected, .rejected])
        #expect(decided?.recipients?.map(\.rejectionReason) == ["desil di atas 4", "desil di atas 4"])
        #expect(rejected.map(\.id).contains(plan.id))
    }

    @Test("an agency cannot decide its own plan, and another agency neither sees nor submits it")
    func outsiders() async throws {
        let f = try await Fixture.shared("store_plans")
        let people = Array(try await f.registryPersons(decile: 1...4).dropFirst(4).prefix(1))
        let plan = try await Self.draft(f, people, period: "2019-Q4")
        let (foreignHeader, foreignFind, foreignSubmit, foreignLines) = try await f.tx("baznas") { tx in
            (
                try await tx.plans.header(plan.id), try await tx.plans.find(plan.id),
                try await tx.plans.submit(plan.id),
                try await tx.plans.lineNumbers(plan.id)
            )
        }
        #expect(foreignHeader == nil)
        #expect(foreignFind == nil)
        #expect(!foreignSubmit)
        #expect(foreignLines.isEmpty)
        // A draft is not yet the coordinator's to see or decide.
        let (coordinatorSees, coordinatorDecides) = try await f.tx("dinsos") { tx in
            (try await tx.plans.header(plan.id), try await tx.plans.decides(plan.id))
        }
        #expect(coordinatorSees == nil)
        #expect(!coordinatorDecides)

        _ = try await f.tx("dinkes") { tx in try await tx.plans.submit(plan.id) }
        let firstSubmission = try await f.tx("dinkes") { tx in try await tx.plans.header(plan.id) }?.submittedAt
        // Submitting again moves nothing (the store answers true: the row matched, the status stayed).
        let (again, resubmitted) = try await f.tx("dinkes") { tx in
            (try await tx.plans.submit(plan.id), try await tx.plans.header(plan.id))
        }
        #expect(again)
        #expect(resubmitted?.status == .submitted)
        #expect(resubmitted?.submittedAt == firstSubmission)
        // Whether one decides is the coordinator's question; an agency asking is refused.
        let asks = await databaseError { _ = try await f.tx("dinkes") { tx in try await tx.plans.decides(plan.id) } }
        #expect(asks == .forbidden)
        let selfApproval = await databaseError {
            try await f.tx("dinkes") { tx in try await tx.plans.decide(plan.id, .approve, reason: nil, rejecting: []) }
        }
        #expect(selfApproval == .rule(.planState, column: nil))
        let stillSubmitted = try await f.tx("dinkes") { tx in try await tx.plans.header(plan.id) }
        #expect(stillSubmitted?.status == .submitted)
    }
}
