import Foundation
import PaduCore
import PaduStore

struct RegistryImportRequest: Decodable {
    struct Member: Decodable {
        var nik: String?
        var name: String?
        var birthDate: String?
        var sex: String?
        var relationship: String?
    }
    struct Household: Decodable {
        var kk: String?
        var regionCode: String?
        var address: String?
        var decile: Int?
        var members: [Member]?
    }
    var source: String?
    var asOf: String?
    var households: [Household]?
}

/// Validates an import into a batch, naming every problem with its place in the input.
struct RegistryImportValidator {
    var problems = Problems()
    var batch = RegistryBatch()
    var source: RegistrySource?
    var asOf: CalendarDate?
    /// Field name prefixes for each household and person, to name database-found problems.
    var householdFields: [String] = []
    var personFields: [String] = []
    private var seenKK: [String: String] = [:]
    private var seenNIK: [String: String] = [:]

    init(source: String?, asOf: String?) {
        var problems = Problems()
        let source = problems.choice(problems.require(source, "source"), "source", as: RegistrySource.self)
        let asOf = problems.check("as_of", problems.require(asOf, "as_of")) { try CalendarDate(validating: $0) }
        self.problems = problems
        self.source = source
        self.asOf = asOf
    }

    mutating func household(
        _ field: (String) -> String, kk: String?, regionCode: String?, address: String?, decile: Int?
    ) -> Bool {
        let kkValue = problems.check(field("kk"), problems.require(kk, field("kk"))) { try KK($0) }
        var region = problems.check(field("region_code"), problems.require(regionCode, field("region_code"))) {
            try RegionCode($0)
        }
        if let code = region, code.level != .village {
            problems.add(field("region_code"), "must be a village (desa/kelurahan) code like 16.06.01.2001")
            region = nil
        }
        let decileValue = problems.require(decile, field("decile")).flatMap { value in
            problems.check(field("decile")) { try Decile(value) }
        }
        if let address, address.count > 500 { problems.add(field("address"), "must be at most 500 characters") }
        guard let kkValue else { return false }
        if let first = seenKK[kkValue.value] {
            problems.add(field("kk"), "appears again (first at \(first))")
            return false
        }
        seenKK[kkValue.value] = field("kk")
        // A household with any problem is not added: the import will be refused anyway.
        guard let region, let decileValue else { return true }
        householdFields.append(field(""))
        batch.addHousehold(kk: kkValue, region: region, address: address, decile: decileValue)
        return true
    }

    mutating func member(
        _ field: (String) -> String, kk: KK?, nik: String?, name: String?, birthDate: String?, sex: String?,
        relationship: String?
    ) {
        let nikValue = problems.check(field("nik"), problems.require(nik, field("nik"))) { try NIK($0) }
        if let name = problems.require(name, field("name")) { problems.text(name, field("name"), max: 200) }
        let birth = problems.check(field("birth_date"), problems.require(birthDate, field("birth_date"))) {
            try CalendarDate(validating: $0)
        }
        let sexValue = problems.check(field("sex"), problems.require(sex, field("sex"))) { try Sex($0) }
        let relationshipValue = problems.choice(
            problems.require(relationship, field("relationship")), field("relationship"), as: Relationship.self)
        let nameValue = name.map { $0.trimmingCharacters(in: .whitespaces) }
        if let nikValue, let birth, let sexValue, !nikValue.isConsistent(withBirthDate: birth, sex: sexValue) {
            problems.add(field("nik"), "does not match birth_date and sex (DDMMYY, day + 40 for women)")
        }
        guard let nikValue else { return }
        if let first = seenNIK[nikValue.value] {
            problems.add(field("nik"), "appears again (first at \(first))")
            return
        }
        seenNIK[nikValue.value] = field("nik")
        guard let kk, let nameValue, let birth, let sexValue, let relationshipValue else { return }
        personFields.append(field(""))
        batch.addPerson(
            household: kk, nik: nikValue, name: nameValue, birthDate: birth, sex: sexValue,
            relationship: relationshipValue)
    }

    static func fromJSON(_ body: RegistryImportRequest) -> RegistryImportValidator {
        var validator = RegistryImportValidator(source: body.source, asOf: body.asOf)
        let households = validator.problems.require(body.households, "households") ?? []
        if households.isEmpty && body.households != nil { validator.problems.add("households", "must not be empty") }
        for (index, household) in households.enumerated() {
            let prefix = "households[\(index)]"
            let ok = validator.household(
                { $0.isEmpty ? prefix : prefix + "." + $0 }, kk: household.kk, regionCode: household.regionCode,
                address: household.address, decile: household.decile)
            let members = household.members ?? []
            if members.isEmpty { validator.problems.add(prefix + ".members", "must list at least one person") }
            for (position, member) in members.enumerated() {
                let memberPrefix = prefix + ".members[\(position)]"
                validator.member(
                    { $0.isEmpty ? memberPrefix : memberPrefix + "." + $0 },
                    kk: ok ? household.kk.flatMap { try? KK($0) } : nil,
                    nik: member.nik, name: member.name, birthDate: member.birthDate, sex: member.sex,
                    relationship: member.relationship)
            }
        }
        return validator
    }

    static let csvColumns = [
        "kk", "region_code", "address", "decile", "nik", "name", "birth_date", "sex", "relationship",
    ]

    /// One row per person; the household columns must agree between rows of the same KK.
    static func fromCSV(_ text: String, source: String?, asOf: String?) throws -> RegistryImportValidator {
        try fromTable(CSV.Table(text), source: source, asOf: asOf)
    }

    /// One row per person, from CSV or a workbook's first sheet.
    static func fromTable(_ table: CSV.Table, source: String?, asOf: String?) throws -> RegistryImportValidator {
        var validator = RegistryImportValidator(source: source, asOf: asOf)
        guard let header = table.header else {
            validator.problems.add("body", "the CSV is empty")
            return validator
        }
        let missing = csvColumns.filter { !header.contains($0) }
        if !missing.isEmpty {
            validator.problems.add("header", "missing columns: \(missing.joined(separator: ", "))")
            return validator
        }
        var households: [String: (row: Int, region: String, address: String, decile: String)] = [:]
        for record in table.records {
            let line = record.line
            let cell = record.cell
            let field: (String) -> String = { $0.isEmpty ? "row \(line)" : "row \(line), \($0)" }
            let kk = cell("kk") ?? ""
            if let known = households[kk] {
                for (name, value, first) in [
                    ("region_code", cell("region_code") ?? "", known.region),
                    ("address", cell("address") ?? "", known.address),
                    ("decile", cell("decile") ?? "", known.decile),
                ] where value != first {
                    validator.problems.add(field(name), "differs from row \(known.row) of the same kk")
                }
            } else {
                let decileText = cell("decile")
                let decile = decileText.flatMap { Int($0) }
                if decileText != nil && decile == nil {
                    validator.problems.add(field("decile"), "must be a whole number")
                }
                let ok = validator.household(
                    field, kk: cell("kk"), regionCode: cell("region_code"), address: cell("address"),
                    decile: decileText == nil ? nil : (decile ?? 1))
                if ok {
                    households[kk] = (line, cell("region_code") ?? "", cell("address") ?? "", decileText ?? "")
                }
            }
            validator.member(
                field, kk: try? KK(kk), nik: cell("nik"), name: cell("name"), birthDate: cell("birth_date"),
                sex: cell("sex"),
                relationship: cell("relationship"))
        }
        if validator.batch.householdCount == 0 && validator.problems.isEmpty {
            validator.problems.add("body", "the CSV has no rows")
        }
        return validator
    }
}
