import Foundation
import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// `RegistryStore.household`: the family across agencies, as `padu.household_view` decides.
@Suite("RegistryStore household view")
struct HouseholdViewTests {
    static let year = try! FiscalYear(2019)
    static let july = CalendarDate(year: 2019, month: 7, day: 15)!

    /// Poor registry households (decile 1-4) with at least two members: the KK and its members.
    static func households(_ f: Fixture) async throws -> [(kk: KK, members: [RegistryEntry])] {
        let persons = try await f.registryPersons(decile: 1...4)
        var order: [String] = []
        var members: [String: [RegistryEntry]] = [:]
        for person in persons {
            if members[person.kk.value] == nil { order.append(person.kk.value) }
            members[person.kk.value, default: []].append(person)
        }
        return order.compactMap { kk in
            guard let people = members[kk], people.count >= 2 else { return nil }
            return (people[0].kk, people)
        }
    }

    /// A plan of `account`'s programme for the recipients, submitted; approved by Dinsos unless `approve` is false.
    static func plan(
        _ f: Fixture, _ account: String, program: String, target: ProgrammeTarget, _ recipients: [RecipientID],
        approve: Bool = true
    ) async throws {
        let plan = try await f.tx(account) { tx in
            let plan = try await tx.plans.create(
                programID: f.programs[program]!, target: target, fiscalYear: year, period: try Quarter("2019-Q2"),
                recipients: recipients.map { RecipientInput($0, plannedQuantity: 2) })
            _ = try await tx.plans.submit(plan.id)
            return plan
        }
        if approve {
            try await f.tx("dinsos") { tx in try await tx.plans.decide(plan.id, .approve, reason: nil, rejecting: []) }
        }
    }

    static func deliver(_ f: Fixture, _ account: String, program: String, _ recipient: RecipientID) async throws {
        _ = try await f.tx(account) { tx in
            try await tx.deliveries.record(
                programID: f.programs[program]!, coordinated: true,
                [DeliveryInput(recipient: recipient, deliveredOn: july, quantity: 1, valueIDR: try Rupiah(5_000_000))])
        }
    }

    static func householdID(_ f: Fixture, _ kk: KK) async throws -> Int64 {
        try await f.database.withAdmin { c in
            try #require(
                try await c.query(
                    "SELECT household_id FROM padu.household_kk WHERE kk = \(kk.value) AND valid_to IS NULL"
                ).first(Int64.self))
        }
    }

    @Test(
        "Dinsos reads a household with aid from two agencies (to the KK and to a member), its members, no amounts; audited"
    )
    func coordinatorReadsFamily() async throws {
        let f = try await Fixture.shared("store_household", households: 200)
        let (kk, members) = try #require(try await Self.households(f).first)
        // Baznas renovates the house (by KK); Dinkes feeds a member (by NIK).
        try await Self.plan(f, "baznas", program: "BEDAH-RUMAH", target: .household, [.kk(kk)])
        try await Self.deliver(f, "baznas", program: "BEDAH-RUMAH", .kk(kk))
        try await Self.plan(f, "dinkes", program: "PMT-BALITA", target: .person, [.nik(members[1].nik)])

        let view = try #require(
            try await f.tx("dinsos") { tx in try await tx.registry.household(kk, from: nil, to: nil) })
        #expect(view.kk == kk.value)
        #expect(view.regionCode == members[0].village)
        #expect(view.village?.isEmpty == false)
        #expect(view.decile == members[0].decile)
        #expect(view.registrySource == "DTKS")
        #expect(Set(view.members.map(\.nik)) == Set(members.map(\.nik.value)))
        #expect(view.members.first { $0.nik == members[1].nik.value }?.name == members[1].name)
        // The last two years with data: 2018 and 2019.
        #expect(view.from == 2018)
        #expect(view.to == 2019)
        let byProgram = Dictionary(uniqueKeysWithValues: view.aid.map { ($0.program, $0) })
        let renovation = try #require(byProgram["Bedah Rumah Tidak Layak Huni (Rutilahu)"])
        #expect(renovation.status == "delivered")
        #expect(renovation.quantity == 1)
        #expect(renovation.lastDeliveredOn == "2019-07-15")
        #expect(renovation.aidCategory == "housing")
        #expect(renovation.fiscalYear == 2019)
        let food = try #require(byProgram["Pemberian Makanan Tambahan Balita Gizi Kurang"])
        #expect(food.status == "approved")
        #expect(food.quantity == 2)
        #expect(food.lastDeliveredOn == nil)
        #expect(Set(view.aid.map(\.agency)).count == 2)
        // No amounts anywhere in what the database answers.
        let raw = try await f.as("dinsos") { c in
            try await c.query("SELECT aid::text FROM padu.household_view(\(kk.value))").first(String.self)
        }
        let aidJSON = try #require(raw)
        #expect(!aidJSON.contains("idr") && !aidJSON.contains("value"))
        // An explicit range without data: no aid, the range as asked.
        let old = try #require(
            try await f.tx("dinsos") { tx in
                try await tx.registry.household(kk, from: try FiscalYear(2017), to: try FiscalYear(2018))
            })
        #expect(old.aid.isEmpty)
        #expect(old.from == 2017 && old.to == 2018)

        // Every read is audited with the household's id, not the KK.
        let household = try await Self.householdID(f, kk)
        let audited = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT count(*)::int8, bool_and(entity_id = \(String(household))), bool_or(entity_id = \(kk.value))
                  FROM padu.audit_log WHERE action = 'read' AND entity = 'household'
                   AND account_id = \(f.accounts["dinsos"]!) AND entity_id IN (\(String(household)), \(kk.value))
                """
            ).first((Int64, Bool?, Bool?).self)
        }
        #expect(audited?.0 == 3)
        #expect(audited?.1 == true)
        #expect(audited?.2 == false)
    }

    @Test("an agency sees a household only once its line is approved, never other agencies' amounts")
    func agencyAfterApproval() async throws {
        let f = try await Fixture.shared("store_household", households: 200)
        let (kk, members) = try #require(try await Self.households(f).dropFirst(1).first)
        // Dinkes serves a member; Baznas has never served the household.
        try await Self.plan(f, "dinkes", program: "PMT-BALITA", target: .person, [.nik(members[0].nik)])
        try await Self.deliver(f, "dinkes", program: "PMT-BALITA", .nik(members[0].nik))
        let never = try await f.tx("baznas") { tx in try await tx.registry.household(kk, from: nil, to: nil) }
        #expect(never == nil)
        // Dinkes' own delivery (to a member) opens the household to Dinkes.
        let dinkes = try await f.tx("dinkes") { tx in try await tx.registry.household(kk, from: nil, to: nil) }
        #expect(dinkes?.aid.map(\.status) == ["delivered"])
        // A submitted line is not enough.
        try await Self.plan(f, "baznas", program: "BEDAH-RUMAH", target: .household, [.kk(kk)], approve: false)
        let submitted = try await f.tx("baznas") { tx in try await tx.registry.household(kk, from: nil, to: nil) }
        #expect(submitted == nil)
        let household = try await Self.householdID(f, kk)
        let unaudited = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT count(*)::int8 FROM padu.audit_log
                 WHERE entity = 'household' AND entity_id = \(String(household)) AND account_id = \(f.accounts["baznas"]!)
                """
            ).first(Int64.self)
        }
        #expect(unaudited == 0)
        // Approved: Baznas sees the family and Dinkes' aid, as programme and quantity only.
        let plan = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT l.plan_id FROM padu.plan_lines l
                 WHERE l.kk = \(kk.value) AND l.program_id = \(f.programs["BEDAH-RUMAH"]!)
                """
            ).first(Int64.self)
        }
        try await f.tx("dinsos") { tx in
            try await tx.plans.decide(try #require(plan), .approve, reason: nil, rejecting: [])
        }
        let approved = try #require(
            try await f.tx("baznas") { tx in try await tx.registry.household(kk, from: nil, to: nil) })
        #expect(approved.members.count == members.count)
        let statuses = Dictionary(uniqueKeysWithValues: approved.aid.map { ($0.agency, $0.status) })
        #expect(statuses.count == 2)
        #expect(statuses.values.sorted() == ["approved", "delivered"])
        let encoded = String(decoding: try JSONCoding.encoder.encode(approved), as: UTF8.self)
        #expect(!encoded.contains("idr") && !encoded.contains("value"))
        // The executive has no access to the view at all.
        let executive = await #expect(throws: (any Error).self) {
            _ = try await f.tx("bupati") { tx in try await tx.registry.household(kk, from: nil, to: nil) }
        }
        #expect(executive != nil)
    }

    @Test("the coordinator's view follows its region scope")
    func coordinatorScope() async throws {
        let f = try await Fixture.shared("store_household", households: 200)
        let all = try await Self.households(f)
        let outside = try #require(all.dropFirst(10).first { !$0.members[0].village.hasPrefix("16.06.01.") })
        let sekayu = try await f.tx("sekayu") { tx in try await tx.registry.household(outside.kk, from: nil, to: nil) }
        #expect(sekayu == nil)
        let dinsos = try await f.tx("dinsos") { tx in try await tx.registry.household(outside.kk, from: nil, to: nil) }
        #expect(dinsos?.kk == outside.kk.value)
        let unknown = try await f.tx("dinsos") { tx in
            try await tx.registry.household(try KK("1606011505199999"), from: nil, to: nil)
        }
        #expect(unknown == nil)
    }

    @Test("padu.may_view_household agrees with row-level security on padu.households for every caller")
    func ruleAgreesWithRLS() async throws {
        let f = try await Fixture.shared("store_household", households: 200)
        // Some households served (each test above serves some), some not.
        let (kk, members) = try #require(try await Self.households(f).dropFirst(5).first)
        try await Self.plan(f, "dinkes", program: "PMT-BALITA", target: .person, [.nik(members[0].nik)])
        try await Self.plan(f, "baznas", program: "BEDAH-RUMAH", target: .household, [.kk(kk)])
        let ids = try await f.database.withAdmin { c in
            try await c.query("SELECT id FROM padu.households ORDER BY id").decode(Int64.self)
        }
        for account in ["baznas", "dinkes", "dinsos", "sekayu"] {
            let disagreements = try await f.as(account) { c in
                try await c.query(
                    """
                    SELECT count(*)::int8 FROM unnest(\(ids)::int8[]) AS a(id)
                     WHERE padu.may_view_household(a.id) IS DISTINCT FROM
                           EXISTS (SELECT 1 FROM padu.households h WHERE h.id = a.id)
                    """
                ).first(Int64.self)
            }
            #expect(disagreements == 0, "\(account)")
            let visible = try await f.as(account) { c in
                try await c.query(
                    "SELECT count(*)::int8 FROM unnest(\(ids)::int8[]) AS a(id) WHERE padu.may_view_household(a.id)"
                ).first(Int64.self)
            }
            #expect((visible ?? 0) > 0, "\(account) sees some household")
        }
    }
}
