import PaduCore
import Testing

@Suite("RegionCode")
struct RegionCodeTests {
    @Test(
        "the four dotted shapes parse to their levels",
        arguments: [
            ("16", RegionCode.Level.province), ("16.06", .regency), ("16.06.01", .district),
            ("16.06.01.2001", .village),
        ])
    func shapes(text: String, level: RegionCode.Level) throws {
        let code = try RegionCode(text)
        #expect(code.level == level)
        #expect(code.value == text)
        #expect(code.description == text)
    }

    @Test(
        "other shapes are refused",
        arguments: [
            "", "1", "160", "16.060", "16.06.1", "16.06.01.201", "16.06.01.20011", "16.06.01.2001.1", "16.", ".16",
            "16..01", "16 06", "16-06", "١٦", "16.06.01.200a",
        ])
    func badShapes(text: String) {
        #expect(problems { _ = try RegionCode(text) } == ["must look like 16, 16.06, 16.06.01 or 16.06.01.2001"])
        #expect(fields { _ = try RegionCode(text) } == ["region_code"])
    }

    @Test("all-zero segments and villages not starting with 1 or 2 are refused")
    func zeroSegments() {
        #expect(problems { _ = try RegionCode("00") } == ["province code 00 is not valid"])
        #expect(
            problems { _ = try RegionCode("16.00.00") } == [
                "regency code 00 is not valid", "district code 00 is not valid",
            ])
        #expect(
            problems { _ = try RegionCode("16.06.01.3001") } == [
                "village code 3001 must start with 1 (kelurahan) or 2 (desa)"
            ])
        #expect(problems { _ = try RegionCode("16.06.01.0000") } == ["village code 0000 is not valid"])
    }

    @Test("village kind follows the first digit of the village code")
    func villageKind() throws {
        #expect(try RegionCode("16.06.01.1001").villageKind == .kelurahan)
        #expect(try RegionCode("16.06.01.2001").villageKind == .desa)
        #expect(try RegionCode("16.06.01").villageKind == nil)
    }

    @Test("the parent chain climbs one level at a time and stops at the province")
    func parentChain() throws {
        var code: RegionCode? = try RegionCode("16.06.01.2001")
        var chain: [String] = []
        while let current = code {
            chain.append(current.value)
            code = current.parent
        }
        #expect(chain == ["16.06.01.2001", "16.06.01", "16.06", "16"])
    }

    @Test("ancestors: district, regency and province codes")
    func ancestors() throws {
        let village = try RegionCode("16.06.01.2001")
        #expect(village.districtCode?.value == "16.06.01")
        #expect(village.regencyCode?.value == "16.06")
        #expect(village.provinceCode.value == "16")
        #expect(try RegionCode("16.06.01").districtCode?.value == "16.06.01")
        #expect(try RegionCode("16.06").districtCode == nil)
        #expect(try RegionCode("16").regencyCode == nil)
    }

    @Test(
        "isWithin covers the code itself and its descendants only",
        arguments: [
            ("16.06.01", "16.06", true), ("16.06.01", "16", true), ("16.06.01", "16.06.01", true),
            ("16.06.01.2001", "16.06", true), ("16.06", "16.06.01", false), ("16.06.01", "16.07", false),
            ("16.06.01", "17", false), ("16.16", "16.1", false), ("61.06", "16", false),
        ])
    func isWithin(code: String, scope: String, expected: Bool) throws {
        guard let scopeCode = try? RegionCode(scope) else {
            // "16.1" cannot even be a scope: a partial segment is invalid, so prefix confusion cannot arise.
            #expect(!expected)
            return
        }
        #expect(try RegionCode(code).isWithin(scopeCode) == expected)
    }

    @Test("nikPrefix turns six digits into a dotted district code")
    func nikPrefix() throws {
        #expect(try RegionCode(nikPrefix: "160601").value == "16.06.01")
        #expect(try RegionCode(nikPrefix: "160601").level == .district)
        #expect(problems { _ = try RegionCode(nikPrefix: "16060") } == ["must be 6 digits"])
        #expect(problems { _ = try RegionCode(nikPrefix: "16.06.01") } == ["must be 6 digits"])
        #expect(problems { _ = try RegionCode(nikPrefix: "160001") } == ["regency code 00 is not valid"])
    }

    @Test("sorting puts each region right before its descendants")
    func ordering() throws {
        let codes = try ["16.07", "16.06.01.2001", "16", "16.06", "16.06.01", "17"].map { try RegionCode($0) }
        #expect(codes.sorted().map(\.value) == ["16", "16.06", "16.06.01", "16.06.01.2001", "16.07", "17"])
        #expect(RegionCode.Level.province < .village)
    }
}
