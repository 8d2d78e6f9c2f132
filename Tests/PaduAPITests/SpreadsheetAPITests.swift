import Foundation
import PQ
import PaduStore
import PaduTestSupport
import Testing

@testable import PaduAPI

/// Spreadsheets through HTTP: what Indonesian Excel writes (a `;` CSV with a byte order mark, an
/// XLSX workbook) gives the same check, plan and deliveries as JSON; what it breaks (a KK as
/// `1.6061E+15`) is named; lists and summaries come back as Excel's CSV or as a workbook.
@Suite("Spreadsheets through the API")
struct SpreadsheetAPITests {
    static let xlsx = XLSX.mediaType
    static let limits = XLSX.Limits(maxUnpackedBytes: 64 << 20, maxRows: 100_000)

    /// Poor households' KK and one member's NIK each.
    static func households(_ api: TestAPI) async throws -> [(kk: String, nik: String)] {
        try await api.database.withAdmin { c in
            try await c.query(
                """
                SELECT k.kk::text, (SELECT p.nik::text FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
                                     WHERE m.household_id = h.id ORDER BY p.id LIMIT 1)
                  FROM padu.households h JOIN padu.household_kk k ON k.household_id = h.id AND k.valid_to IS NULL
                 WHERE h.decile <= 4 ORDER BY h.id LIMIT 4
                """
            ).decode((String, String).self).map { (kk: $0.0, nik: $0.1) }
        }
    }

    /// Rows as wide as the header (a workbook leaves trailing empty cells out).
    static func padded(_ rows: [[String]]) -> [[String]] {
        let width = rows.first?.count ?? 0
        return rows.map { $0 + Array(repeating: "", count: max(0, width - $0.count)) }
    }

    /// A JSON object without the keys that differ between two equal plans (ids, times, period).
    static func comparable(_ result: HTTPResult) throws -> String {
        func strip(_ value: Any) -> Any {
            switch value {
            case let object as [String: Any]:
                return object.filter { !$0.key.hasSuffix("id") && !$0.key.hasSuffix("_at") && $0.key != "period" }
                    .mapValues(strip)
            case let array as [Any]: return array.map(strip)
            default: return value
            }
        }
        let object = try JSONSerialization.jsonObject(with: Data(result.body))
        let data = try JSONSerialization.data(withJSONObject: strip(object), options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    @Test("a ; CSV with a BOM and an XLSX workbook give the same check, plan and deliveries as JSON")
    func sameAsJSON() async throws {
        let api = try await TestAPI.start("sheets_same")
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let dinsos = try await api.login("dinsos")
        let program = api.programs["BEDAH-RUMAH"]!
        let homes = try await Self.households(api)
        // Two by KK, one by NIK, one unknown NIK (flagged, not refused), values in rupiah.
        let rows: [(nik: String?, kk: String?, value: Int)] = [
            (nil, homes[0].kk, 20_000_000), (nil, homes[1].kk, 15_000_000), (homes[2].nik, nil, 5_000_000),
            ("1606011505909999", nil, 1_000_000),
        ]
        let json: [[String: Any]] = rows.map { row in
            var item: [String: Any] = ["planned_value_idr": row.value, "planned_quantity": 1]
            if let nik = row.nik { item["nik"] = nik }
            if let kk = row.kk { item["kk"] = kk }
            return item
        }
        let csv =
            "\u{FEFF}NIK;KK;planned_value_idr;planned_quantity\r\n"
            + rows.map { "\($0.nik ?? "");\($0.kk ?? "");\($0.value);1" }.joined(separator: "\r\n") + "\r\n"
        let workbook = try Workbooks.make(
            [[.shared("nik"), .shared("kk"), .shared("planned_value_idr"), .shared("planned_quantity")]]
                + rows.map { row in
                    [row.nik.map { .shared($0) }, row.kk.map { .inline($0) }, .number(String(row.value)), .number("1")]
                })

        let query = "program_id=\(program)&fiscal_year=2019"
        let byJSON = try await api.post(
            "/api/v1/coordination/check", as: baznas, ["program_id": program, "fiscal_year": 2019, "recipients": json])
        #expect(byJSON.status == 200, "\(byJSON.text)")
        for (type, body) in [("text/csv", Array(csv.utf8)), (Self.xlsx, workbook)] {
            let result = try await api.request(
                "POST", "/api/v1/coordination/check?\(query)", token: baznas, body: body, contentType: type)
            #expect(result.status == 200, "\(type): \(result.text)")
            #expect(try Self.comparable(result) == Self.comparable(byJSON), "\(type)")
        }

        // Plans: one per quarter, the same lines from each format.
        let planJSON = try await api.post(
            "/api/v1/plans", as: baznas,
            ["program_id": program, "fiscal_year": 2019, "period": "2019-Q2", "recipients": json])
        #expect(planJSON.status == 201, "\(planJSON.text)")
        for (type, body, period) in [("text/csv", Array(csv.utf8), "2019-Q3"), (Self.xlsx, workbook, "2019-Q4")] {
            let plan = try await api.request(
                "POST", "/api/v1/plans?\(query)&period=\(period)", token: baznas, body: body, contentType: type)
            #expect(plan.status == 201, "\(type): \(plan.text)")
            #expect(try Self.comparable(plan) == Self.comparable(planJSON), "\(type)")
        }

        // Deliveries against the approved Q2 plan: one row from a ; CSV, one from a workbook
        // whose date Excel stored as a day number (43636 is 2019-06-20).
        let planID =
            try #require(
                try JSONSerialization.jsonObject(with: Data(planJSON.body)) as? [String: Any])["id"] as! Int
        #expect(try await api.request("POST", "/api/v1/plans/\(planID)/submit", token: baznas).status == 200)
        // The coordinator acknowledges whatever the check flagged on each line (v1.1).
        let shown = try #require(
            try JSONSerialization.jsonObject(with: Data(try await api.get("/api/v1/plans/\(planID)", as: dinsos).body))
                as? [String: Any])
        let acknowledged = (shown["recipients"] as? [[String: Any]] ?? []).compactMap { line -> [String: Any]? in
            guard let flags = line["flags"] as? [String], !flags.isEmpty, let lineNo = line["line_no"] as? Int else {
                return nil
            }
            return ["line_no": lineNo, "flags": flags]
        }
        let approved = try await api.post(
            "/api/v1/plans/\(planID)/decision", as: dinsos, ["decision": "approve", "acknowledged": acknowledged])
        #expect(approved.status == 200, "\(approved.text)")
        let path = "/api/v1/programs/\(program)/deliveries"
        let deliveryCSV = "\u{FEFF}kk;delivered_on;quantity;value_idr\n\(homes[0].kk);2019-06-20;1;20000000\n"
        let byCSV = try await api.request(
            "POST", path, token: baznas, body: Array(deliveryCSV.utf8), contentType: "text/csv")
        #expect(byCSV.status == 201, "\(byCSV.text)")
        let deliveryBook = try Workbooks.make([
            [.shared("nik"), .shared("kk"), .shared("delivered_on"), .shared("quantity"), .shared("value_idr")],
            [.shared(homes[2].nik), nil, .number("43636"), .number("1"), .number("5000000")],
        ])
        let byXLSX = try await api.request("POST", path, token: baznas, body: deliveryBook, contentType: Self.xlsx)
        #expect(byXLSX.status == 201, "\(byXLSX.text)")
        let recorded = try await api.database.withAdmin { c in
            try await c.query(
                "SELECT delivered_on::text, value_idr FROM padu.deliveries WHERE program_id = \(program) AND fiscal_year = 2019 AND delivered_on = '2019-06-20' ORDER BY value_idr"
            ).decode((String, Int64).self)
        }
        #expect(recorded.map(\.1) == [5_000_000, 20_000_000])
        // A row without an approved line is named by its spreadsheet row.
        let refused = try await api.request(
            "POST", path, token: baznas,
            body: Array("kk;delivered_on\n\(homes[1].kk);2019-06-21\n\(homes[3].kk);2019-06-21\n".utf8),
            contentType: "text/csv")
        #expect(refused.status == 422, "\(refused.text)")
        #expect(refused.errorFields == ["row 3, kk"])
    }

    @Test("a KK in scientific notation gets the spreadsheet message, from CSV and from XLSX")
    func scientificKK() async throws {
        let api = try await TestAPI.start("sheets_sci")
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let dinsos = try await api.login("dinsos")
        let program = api.programs["BEDAH-RUMAH"]!
        let query = "program_id=\(program)&fiscal_year=2019&period=2019-Q2"
        let csv = "kk;planned_value_idr\n1606010101190001;100\n1,6061E+15;100\n"
        let workbook = try Workbooks.make([
            [.shared("kk"), .shared("planned_value_idr")], [.shared("1606010101190001"), .number("100")],
            [.number("1.6061E+15"), .number("100")],
        ])
        for path in ["/api/v1/coordination/check", "/api/v1/plans"] {
            for (type, body) in [("text/csv", Array(csv.utf8)), (Self.xlsx, workbook)] {
                let result = try await api.request(
                    "POST", "\(path)?\(query)", token: baznas, body: body, contentType: type)
                #expect(result.status == 422, "\(path) \(type): \(result.text)")
                #expect(result.errorFields == ["row 3, kk"], "\(path) \(type)")
                let problem = result.errorDetails.first?.problem ?? ""
                #expect(problem.contains("1") && problem.contains("spreadsheet"), "\(problem)")
            }
        }
        let registry = try await api.request(
            "POST", "/api/v1/registry/import?source=DTKS&as_of=2019-01-31", token: dinsos,
            body: Array(
                "kk,region_code,address,decile,nik,name,birth_date,sex,relationship\n1.6061E+15,16.06.01.2001,x,1,1606011503800001,A,1980-03-15,M,head\n"
                    .utf8), contentType: "text/csv")
        #expect(registry.status == 422)
        #expect(registry.errorFields == ["row 2, kk"])
    }

    @Test("broken and hostile workbooks get a clean 4xx in the envelope")
    func hostileWorkbooks() async throws {
        let api = try await TestAPI.start("sheets_hostile")
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let program = api.programs["BEDAH-RUMAH"]!
        let path = "/api/v1/coordination/check?program_id=\(program)&fiscal_year=2019"
        var truncated = try Workbooks.make([[.shared("nik")], [.shared("1606011503800001")]])
        truncated.removeLast(60)
        for (label, body, status) in [
            ("not a zip", Array("nik\n1606011503800001".utf8), 422), ("truncated", truncated, 422),
            ("bomb", try Workbooks.bomb(megabytes: 100), 413),
            (
                "too many rows",
                try Workbooks.make([[.shared("nik")], [.shared("1606011503800001")]], rowNumbers: [1, 50_002]), 422
            ),
        ] {
            let result = try await api.request("POST", path, token: baznas, body: body, contentType: Self.xlsx)
            #expect(result.status == status, "\(label): \(result.text)")
            #expect(result.envelope != nil, "\(label): \(result.text)")
        }
        let unsupported = try await api.request(
            "POST", path, token: baznas, body: [1, 2, 3], contentType: "application/vnd.ms-excel")
        #expect(unsupported.status == 415)
        #expect(unsupported.text.contains(Self.xlsx))
    }

    @Test("the pages' upload templates, as Excel and as CSV, hold the API template's header and example row")
    func pageTemplates() async throws {
        let api = try await TestAPI.start("sheet_page_templates", households: 5)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        for (page, name) in PagesController.templateNames {
            let reference = try await api.get("/api/v1/templates/\(name).xlsx", as: baznas)
            let expected = try CSV.Table(try XLSX.read(reference.body, limits: Self.limits))
            let xlsx = try await HTTPClient.request(port: api.port, "GET", "/templat/\(page).xlsx")
            #expect(xlsx.status == 200)
            #expect(xlsx.header("Content-Type") == XLSX.mediaType)
            #expect(xlsx.header("Content-Disposition")?.contains("\(page).xlsx") == true)
            let csv = try await HTTPClient.request(port: api.port, "GET", "/templat/\(page).csv")
            #expect(csv.status == 200)
            #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
            for table in [try CSV.Table(try XLSX.read(xlsx.body, limits: Self.limits)), try CSV.Table(csv.text)] {
                #expect(table.header == expected.header)
                #expect(table.records.map(\.cells) == expected.records.map(\.cells))
            }
            // The example's NIK keeps its 16 digits and names no one registered.
            #expect(expected.records.first?.cells.first == "1606010101909999")
        }
    }

    @Test("?csv=excel and Accept: XLSX on the summary and on a list; templates for every role")
    func spreadsheetsOut() async throws {
        let api = try await TestAPI.start("sheets_out", households: 300)
        defer { api.stop() }
        try await api.database.withAdmin { c in
            _ = try await DemoActivity(logger: TestDatabases.logger).seed(on: c, deliveries: 2_000, programmes: 8)
        }
        let admin = try await api.login("admin")
        #expect(try await api.request("POST", "/api/v1/summary/refresh", token: admin).status == 200)
        let bupati = try await api.login("bupati")

        let standard = try await api.get("/api/v1/summary?year=2019", as: bupati, headers: [("Accept", "text/csv")])
        #expect(standard.status == 200)
        let excel = try await api.get("/api/v1/summary?year=2019&csv=excel", as: bupati)
        #expect(excel.status == 200)
        #expect(excel.header("Content-Type")?.hasPrefix("text/csv") == true)
        #expect(excel.body.starts(with: [0xEF, 0xBB, 0xBF]))
        let standardRows = try CSV.parse(standard.text)
        let excelRows = try CSV.parse(String(excel.text.dropFirst()), separator: ";")
        #expect(excelRows.count == standardRows.count && standardRows.count > 2)
        #expect(excelRows.first == standardRows.first)
        let rate = try #require(standardRows.first?.firstIndex(of: "realization_rate"))
        #expect(standardRows.dropFirst().contains { $0[rate].contains(".") }, "no decimal rate to test with")
        for (plain, forExcel) in zip(standardRows, excelRows).dropFirst() {
            #expect(forExcel[rate] == plain[rate].replacingOccurrences(of: ".", with: ","))
            #expect(forExcel.count == plain.count)
        }
        let wrongDialect = try await api.get("/api/v1/summary?year=2019&csv=lotus", as: bupati)
        #expect(wrongDialect.status == 422)

        // The workbook holds the CSV's cells, numbers as numbers and codes as text.
        let book = try await api.get("/api/v1/summary?year=2019", as: bupati, headers: [("Accept", Self.xlsx)])
        #expect(book.status == 200)
        #expect(book.header("Content-Type") == Self.xlsx)
        let sheet = try XLSX.read(book.body, limits: Self.limits)
        #expect(Self.padded(sheet.rows) == standardRows)
        let code = try #require(standardRows.first?.firstIndex(of: "agency_code"))
        let withRate = try #require(standardRows.firstIndex { $0[rate].contains(".") }) + 1
        #expect(sheet.numeric.contains(.init(row: withRate, column: rate)))
        #expect(!sheet.numeric.contains(.init(row: withRate, column: code)))

        // A list page as a workbook: deliveries of a programme, NIK and KK as text.
        let baznas = try await api.login("dinkes")
        let program = api.programs["PMT-BALITA"]!
        let list = try await api.get(
            "/api/v1/programs/\(program)/deliveries?year=2019&limit=5", as: baznas, headers: [("Accept", Self.xlsx)])
        #expect(list.status == 200, "\(list.text)")
        let listCSV = try await api.get(
            "/api/v1/programs/\(program)/deliveries?year=2019&limit=5", as: baznas, headers: [("Accept", "text/csv")])
        let listSheet = try XLSX.read(list.body, limits: Self.limits)
        #expect(listSheet.rows.count > 1, "a header and deliveries")
        #expect(Self.padded(listSheet.rows) == (try CSV.parse(listCSV.text)))
        if let kk = listSheet.rows.first?.firstIndex(of: "kk"), listSheet.rows.count > 1 {
            #expect(!listSheet.numeric.contains(.init(row: 2, column: kk)))
        }

        // Templates: any signed-in role; the header the upload reads, one example row.
        let headers = [
            "recipients": ["nik", "kk", "name", "planned_value_idr", "planned_quantity"],
            "deliveries": ["nik", "kk", "delivered_on", "quantity", "value_idr"],
            "registry": RegistryImportValidator.csvColumns,
        ]
        for user in ["admin", "bupati", "dinsos", "baznas"] {
            let token = try await api.login(user)
            for (name, header) in headers {
                let result = try await api.get("/api/v1/templates/\(name).xlsx", as: token)
                #expect(result.status == 200, "\(user) \(name): \(result.text)")
                #expect(result.header("Content-Type") == Self.xlsx)
                let template = try XLSX.read(result.body, limits: Self.limits)
                #expect(template.rows.count == 2)
                #expect(template.rows.first == header)
                _ = try CSV.Table(template)  // the example row itself reads without a problem
            }
        }
        #expect(try await api.get("/api/v1/templates/recipients.xlsx", as: nil).status == 401)
        #expect(try await api.get("/api/v1/templates/other.xlsx", as: bupati).status == 404)
    }
}
