import Foundation
import Hummingbird
import PQ
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

let relationships = [
    "head", "spouse", "child", "child_in_law", "grandchild", "parent", "parent_in_law", "other_relative", "other",
]

/// Validates an import into a batch, naming every problem with its place in the input.
struct RegistryImportValidator {
    var problems = Problems()
    var batch: RegistryBatch
    /// Field name prefixes for each household and person, to name database-found problems.
    var householdFields: [String] = []
    var personFields: [String] = []
    private var seenKK: [String: String] = [:]
    private var seenNIK: [String: String] = [:]

    init(source: String?, asOf: String?) {
        var problems = Problems()
        let source = problems.require(source, "source")
        problems.oneOf(source, ["DTKS", "DTSEN", "LOCAL"], "source")
        let asOf = problems.check("as_of", problems.require(asOf, "as_of")) { try CalendarDate(validating: $0) }
        self.problems = problems
        batch = RegistryBatch(source: source ?? "", asOf: asOf?.description ?? "2000-01-01")
    }

    mutating func household(
        _ field: (String) -> String, kk: String?, regionCode: String?, address: String?, decile: Int?
    ) -> Bool {
        let kkValue = problems.check(field("kk"), problems.require(kk, field("kk"))) { try KK($0) }
        if let region = problems.check(
            field("region_code"), problems.require(regionCode, field("region_code")),
            {
                try RegionCode($0)
            }), region.level != .village
        {
            problems.add(field("region_code"), "must be a village (desa/kelurahan) code like 16.06.01.2001")
        }
        if let decile = problems.require(decile, field("decile")), !(1...10).contains(decile) {
            problems.add(field("decile"), "must be from 1 to 10")
        }
        if let address, address.count > 500 { problems.add(field("address"), "must be at most 500 characters") }
        guard let kkValue else { return false }
        if let first = seenKK[kkValue.value] {
            problems.add(field("kk"), "appears again (first at \(first))")
            return false
        }
        seenKK[kkValue.value] = field("kk")
        householdFields.append(field(""))
        batch.kk.append(kkValue.value)
        batch.regionCode.append(regionCode ?? "")
        batch.address.append(address)
        batch.decile.append(Int16(clamping: decile ?? 0))  // out of range: recorded above, never stored
        return true
    }

    mutating func member(
        _ field: (String) -> String, kk: String, nik: String?, name: String?, birthDate: String?, sex: String?,
        relationship: String?
    ) {
        let nikValue = problems.check(field("nik"), problems.require(nik, field("nik"))) { try NIK($0) }
        if let name = problems.require(name, field("name")) { problems.text(name, field("name"), max: 200) }
        let birth = problems.check(field("birth_date"), problems.require(birthDate, field("birth_date"))) {
            try CalendarDate(validating: $0)
        }
        let sexValue = problems.check(field("sex"), problems.require(sex, field("sex"))) { try Sex($0) }
        problems.oneOf(problems.require(relationship, field("relationship")), relationships, field("relationship"))
        if let nikValue, let birth, let sexValue, !nikValue.isConsistent(withBirthDate: birth, sex: sexValue) {
            problems.add(field("nik"), "does not match birth_date and sex (DDMMYY, day + 40 for women)")
        }
        guard let nikValue else { return }
        if let first = seenNIK[nikValue.value] {
            problems.add(field("nik"), "appears again (first at \(first))")
            return
        }
        seenNIK[nikValue.value] = field("nik")
        personFields.append(field(""))
        batch.personKK.append(kk)
        batch.nik.append(nikValue.value)
        batch.name.append((name ?? "").trimmingCharacters(in: .whitespaces))
        batch.birthDate.append(birthDate ?? "")
        batch.sex.append(sex ?? "")
        batch.relationship.append(relationship ?? "")
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
                    { $0.isEmpty ? memberPrefix : memberPrefix + "." + $0 }, kk: ok ? household.kk! : "",
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
        var validator = RegistryImportValidator(source: source, asOf: asOf)
        let table = try CSV.Table(text)
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
                field, kk: kk, nik: cell("nik"), name: cell("name"), birthDate: cell("birth_date"), sex: cell("sex"),
                relationship: cell("relationship"))
        }
        if validator.batch.kk.isEmpty && validator.problems.details.isEmpty {
            validator.problems.add("body", "the CSV has no rows")
        }
        return validator
    }
}

extension APIRoutes {
    func addRegistryRoutes(to router: RouteRegistrar) {
        let services = self.services
        router.post("/api/v1/registry/import") { request, context -> JSONResponse<RegistryImportResult> in
            var request = request
            let format = try request.bodyFormat(allowCSV: true)
            // Up to 200 MB: check who sends it before reading it.
            _ = try await services.authenticate(request, context, roles: [.coordinator])
            let bytes = try await request.bodyBytes(limit: services.configuration.registryImportLimit)
            let validator: RegistryImportValidator
            switch format {
            case .json:
                validator = .fromJSON(try decodeJSONBytes(RegistryImportRequest.self, bytes))
            case .csv:
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw APIError.malformed("the CSV is not UTF-8 text")
                }
                let query = request.uri.queryParameters
                validator = try .fromCSV(text, source: query.get("source"), asOf: query.get("as_of"))
            }
            try validator.problems.throwIfAny()
            return try await services.session(request, context, readOnly: false, roles: [.coordinator]) {
                _, connection in
                let (regions, districts) = try await RegistryStore.referenceProblems(validator.batch, on: connection)
                var problems = Problems()
                for index in regions {
                    problems.add(
                        fieldName(validator.householdFields[index], "region_code"),
                        "is not a village code in your region scope")
                }
                for index in districts {
                    problems.add(
                        fieldName(validator.personFields[index], "nik"),
                        "its first six digits are not a real district code")
                }
                try problems.throwIfAny()
                return JSONResponse(try await RegistryStore.importBatch(validator.batch, on: connection))
            }
        }
        router.get("/api/v1/registry/persons/:nik") { request, context -> JSONResponse<RegistryPerson> in
            guard let nik = try? NIK(context.parameters.get("nik") ?? "") else { throw APIError.notFound("person") }
            return try await services.session(request, context, readOnly: false, roles: .agencies) {
                caller, connection in
                guard
                    let person = try await RegistryStore.person(
                        nik: nik.value, withKK: caller.role == .coordinator, on: connection)
                else { throw APIError.notFound("person") }
                return JSONResponse(person)
            }
        }
    }
}

/// `households[3]` + `kk` → `households[3].kk`; `row 4` + `kk` → `row 4, kk`.
private func fieldName(_ prefix: String, _ name: String) -> String {
    prefix.hasPrefix("row ") ? "\(prefix), \(name)" : "\(prefix).\(name)"
}
