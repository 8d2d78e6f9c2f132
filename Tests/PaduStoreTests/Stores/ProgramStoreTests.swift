import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

@Suite("ProgramStore")
struct ProgramStoreTests {
    static let ternak = NewProgram(
        code: "TERNAK-ZAKAT", name: "Bantuan Ternak Zakat Produktif", clusterID: 1, aidKind: .inKind,
        aidCategory: .livestock,
        target: .household, unit: "ekor")

    @Test("an agency creates a programme that is its own, then finds, lists and changes it")
    func createFindListUpdate() async throws {
        let f = try await Fixture.shared("store_programs")
        let baznas = f.agencies["BAZNAS"]!
        let created = try await f.tx("baznas") { tx in try await tx.programs.create(Self.ternak) }
        #expect(created.agencyID == baznas)
        #expect(created.code == "TERNAK-ZAKAT")
        #expect(created.clusterID == 1)
        #expect(created.aidKind == .inKind)
        #expect(created.aidCategory == .livestock)
        #expect(created.target == .household)
        #expect(created.unit == "ekor")
        #expect(created.requiresCoordination, "a new programme is coordinated until the admin says otherwise")

        let (found, listed, changed, unchanged) = try await f.tx("baznas") { tx in
            (
                try await tx.programs.find(created.id),
                try await tx.programs.list(after: 0, limit: 50),
                try await tx.programs.update(
                    created.id, ProgramChanges(name: "Ternak Zakat", aidKind: .cash, aidCategory: .business)),
                try await tx.programs.update(created.id, ProgramChanges())
            )
        }
        #expect(found == created)
        #expect(listed.contains(created))
        #expect(Set(listed.map(\.agencyID)) == [baznas])
        #expect(listed.map(\.id) == listed.map(\.id).sorted())
        #expect(changed?.name == "Ternak Zakat")
        #expect(changed?.aidKind == .cash)
        #expect(changed?.aidCategory == .business)
        #expect(changed?.code == "TERNAK-ZAKAT", "fields left nil stay as they were")
        #expect(unchanged?.name == "Ternak Zakat")
    }

    @Test("list pages by id and fetches one more than the limit, so the caller knows a next page exists")
    func paging() async throws {
        let f = try await Fixture.shared("store_programs")
        let (first, rest) = try await f.tx("dinsos") { tx in
            let first = try await tx.programs.list(after: 0, limit: 1)
            return (first, try await tx.programs.list(after: first[0].id, limit: 50))
        }
        #expect(first.count == 2)
        #expect(rest.first?.id == first[1].id)
    }

    @Test("another agency's programme is not visible, not workable and not changeable")
    func otherAgencyInvisible() async throws {
        let f = try await Fixture.shared("store_programs")
        let bedahRumah = f.programs["BEDAH-RUMAH"]!
        let (found, listed, workable, owned, changed) = try await f.tx("dinkes") { tx in
            (
                try await tx.programs.find(bedahRumah),
                try await tx.programs.list(after: 0, limit: 50),
                try await tx.programs.workable(bedahRumah, by: tx.caller),
                try await tx.programs.owned(bedahRumah, by: tx.caller),
                try await tx.programs.update(bedahRumah, ProgramChanges(name: "diambil alih"))
            )
        }
        #expect(found == nil)
        #expect(!listed.contains { $0.id == bedahRumah })
        #expect(workable == nil)
        #expect(owned == nil)
        #expect(changed == nil)
    }

    @Test("the coordinator reads its cluster's programmes but works only with its own agency's")
    func coordinatorReadsCluster() async throws {
        let f = try await Fixture.shared("store_programs")
        let (bedahRumah, bstbk) = (f.programs["BEDAH-RUMAH"]!, f.programs["BSTBK"]!)
        let (found, workable, owned, ownWorkable, ownOwned) = try await f.tx("dinsos") { tx in
            (
                try await tx.programs.find(bedahRumah),
                try await tx.programs.workable(bedahRumah, by: tx.caller),
                try await tx.programs.owned(bedahRumah, by: tx.caller),
                try await tx.programs.workable(bstbk, by: tx.caller),
                try await tx.programs.owned(bstbk, by: tx.caller)
            )
        }
        #expect(found?.agencyID == f.agencies["BAZNAS"])
        #expect(workable == nil)
        #expect(owned == nil)
        #expect(ownWorkable?.id == bstbk)
        #expect(ownOwned?.id == bstbk)
    }

    @Test("the admin works with any programme in scope but owns none, and switches coordination, audited")
    func adminSwitchesCoordination() async throws {
        let f = try await Fixture.shared("store_programs")
        let pmt = f.programs["PMT-BALITA"]!
        let (workable, owned, switched) = try await f.tx("admin") { tx in
            (
                try await tx.programs.workable(pmt, by: tx.caller),
                try await tx.programs.owned(pmt, by: tx.caller),
                try await tx.programs.setRequiresCoordination(pmt, false)
            )
        }
        #expect(workable?.id == pmt)
        #expect(owned == nil)
        #expect(switched?.requiresCoordination == false)
        let audited = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT count(*) FROM padu.audit_log
                 WHERE action = 'set_requires_coordination' AND entity_id = \(String(pmt))
                   AND detail = '{"value": false}'
                """
            ).first(Int.self)
        }
        #expect(audited == 1)
        let again = try await f.tx("admin") { tx in try await tx.programs.setRequiresCoordination(pmt, true) }
        #expect(again?.requiresCoordination == true)
        let missing = try await f.tx("admin") { tx in try await tx.programs.setRequiresCoordination(-1, true) }
        #expect(missing == nil)
    }

    @Test(
        "an agency may not switch coordination off, nor reuse one of its codes, nor name a cluster that does not exist")
    func refusals() async throws {
        let f = try await Fixture.shared("store_programs")
        let bedahRumah = f.programs["BEDAH-RUMAH"]!
        let switchOff = await databaseError {
            _ = try await f.tx("baznas") { tx in try await tx.programs.setRequiresCoordination(bedahRumah, false) }
        }
        #expect(switchOff == .forbidden)
        let reused = await databaseError {
            _ = try await f.tx("baznas") { tx in
                try await tx.programs.create(
                    NewProgram(
                        code: "BEDAH-RUMAH", name: "Lagi", clusterID: 1, aidKind: .cash, aidCategory: .other,
                        target: .person, unit: "rumah")
                )
            }
        }
        #expect(reused == .duplicate(constraint: "programs_agency_id_code_key"))
        let noCluster = await databaseError {
            _ = try await f.tx("baznas") { tx in
                try await tx.programs.create(
                    NewProgram(
                        code: "X-9", name: "X", clusterID: 9, aidKind: .cash, aidCategory: .other, target: .person,
                        unit: "orang"))
            }
        }
        if case .danglingReference = noCluster {
        } else {
            Issue.record("cluster 9 does not exist, got \(String(describing: noCluster))")
        }
        let executive = await databaseError {
            _ = try await f.tx("bupati") { tx in try await tx.programs.create(Self.ternak) }
        }
        #expect(executive == .forbidden)
    }
}
