import PQ
import PaduCore
import PaduTestSupport
import Testing

@testable import PaduStore

@Suite("ReferenceStore")
struct ReferenceStoreTests {
    @Test("regions read as a tree: provinces at the top, a regency's districts beneath it")
    func regions() async throws {
        let f = try await Fixture.shared("store_reference")
        let (muba, provinces, districts, none) = try await f.tx("baznas") { tx in
            (
                try await tx.reference.region(try RegionCode("16.06")),
                try await tx.reference.regions(parent: nil),
                try await tx.reference.regions(parent: try RegionCode("16.06")),
                try await tx.reference.region(try RegionCode("16.06.99"))
            )
        }
        #expect(
            muba == ReferenceStore.Region(code: "16.06", name: "Kabupaten Musi Banyuasin", level: 2, parentCode: "16"))
        #expect(none == nil)
        #expect(provinces.contains { $0.code == "16" && $0.name == "Sumatera Selatan" })
        #expect(provinces.allSatisfy { $0.level == 1 && $0.parentCode == nil })
        #expect(provinces.map(\.code) == provinces.map(\.code).sorted())
        #expect(
            districts.first == ReferenceStore.Region(code: "16.06.01", name: "Sekayu", level: 3, parentCode: "16.06"))
        #expect(districts.allSatisfy { $0.level == 3 && $0.parentCode == "16.06" })
    }

    @Test("agencies and Klaster 1 as seeded: Dinsos coordinates, the chair first")
    func agenciesAndClusters() async throws {
        let f = try await Fixture.shared("store_reference")
        let (agencies, baznas, missing, clusters) = try await f.tx("dinkes") { tx in
            (
                try await tx.reference.agencies(), try await tx.reference.agency(f.agencies["BAZNAS"]!),
                try await tx.reference.agency(-1), try await tx.reference.clusters()
            )
        }
        #expect(agencies.count >= 13)
        #expect(agencies.map(\.code) == agencies.map(\.code).sorted())
        #expect(
            baznas
                == ReferenceStore.Agency(
                    id: f.agencies["BAZNAS"]!, code: "BAZNAS",
                    name: "Badan Amil Zakat Nasional Kabupaten Musi Banyuasin",
                    shortName: "Baznas", kind: .nonGovernment, regionCode: "16.06"))
        #expect(missing == nil)
        #expect(clusters.map(\.id) == [1, 2, 3, 4])
        let first = clusters[0]
        #expect(first.coordinatorAgencyID == f.agencies["DINSOS"])
        #expect(first.members.count == 13)
        #expect(first.members.prefix(2).map(\.code) == ["SETDA-PEM-KESRA", "DINSOS"])
        #expect(first.members.prefix(2).map(\.role) == ["chair", "vice_chair"])
        let rest = first.members.dropFirst(2).map(\.code)
        #expect(rest == rest.sorted())
        #expect(clusters[1].members.isEmpty)
        #expect(clusters[1].coordinatorAgencyID == nil)
    }

    @Test("the admin adds an agency; a code is used once; an agency may not add one")
    func createAgency() async throws {
        let f = try await Fixture.shared("store_reference")
        let new = ReferenceStore.NewAgency(
            code: "DISNAKER", name: "Dinas Tenaga Kerja Kabupaten Musi Banyuasin", kind: .dinas,
            regionCode: try RegionCode("16.06"))
        let created = try await f.tx("admin") { tx in try await tx.reference.createAgency(new) }
        #expect(created.code == "DISNAKER")
        #expect(created.name == new.name)
        #expect(created.shortName == nil)
        #expect(created.kind == .dinas)
        #expect(created.regionCode == "16.06")
        let listed = try await f.tx("baznas") { tx in try await tx.reference.agency(created.id) }
        #expect(listed == created)
        let again = await databaseError {
            _ = try await f.tx("admin") { tx in try await tx.reference.createAgency(new) }
        }
        #expect(again == .duplicate(constraint: "agencies_code_key"))
        let byAgency = await databaseError {
            _ = try await f.tx("baznas") { tx in
                try await tx.reference.createAgency(
                    ReferenceStore.NewAgency(code: "XX", name: "X", kind: .other, regionCode: try RegionCode("16.06")))
            }
        }
        #expect(byAgency == .forbidden)
    }
}
