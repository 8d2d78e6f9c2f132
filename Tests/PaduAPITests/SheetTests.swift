import Foundation
import Testing

@testable import PaduAPI

/// The spreadsheet readers and writers on their own: CSV of either separator, workbooks made
/// here with the ZIP library, and the bounds that keep a hostile workbook from filling memory.
@Suite("Spreadsheets: CSV dialects and XLSX")
struct SheetTests {
    static let limits = XLSX.Limits(maxUnpackedBytes: 8 << 20, maxRows: 1000)

    @Test("a ; CSV with a byte order mark reads like a , CSV")
    func semicolonCSV() throws {
        let comma = try CSV.Table("nik,kk,planned_value_idr\r\n1606011503800001,,\"1000\"\r\n")
        let semicolon = try CSV.Table("\u{FEFF}NIK;kk;planned_value_idr\n1606011503800001;;\"1000\"\n")
        #expect(semicolon.header == ["nik", "kk", "planned_value_idr"])
        #expect(comma.header == semicolon.header)
        #expect(semicolon.records.map(\.cells) == comma.records.map(\.cells))
        #expect(semicolon.records.first?.cell("nik") == "1606011503800001")
        // A quoted field may hold the other separator; the header decides which one splits.
        let quoted = try CSV.Table("name;nik\n\"Siti, Aminah\";1606011503800001\n")
        #expect(quoted.records.first?.cell("name") == "Siti, Aminah")
        // One column: a decimal comma stays in its value.
        #expect(try CSV.Table("nik\n1606011503800001,5\n").records.first?.cell("nik") == "1606011503800001,5")
        let commaQuoted = try CSV.Table("name,nik\n\"Siti; Aminah\",1606011503800001\n")
        #expect(commaQuoted.records.first?.cell("name") == "Siti; Aminah")
    }

    @Test("a cell is trimmed of blanks at its ends only, and a blank cell is absent")
    func cellsTrimmed() throws {
        let table = try CSV.Table(
            "nik;name;kk;planned_value_idr\n 1606011503800001\t;\u{00A0}Siti  Aminah ;  ;\"\t1000\"\n"
                + "1606011503800002;Siti  Aminah;;1000\n")
        let padded = try #require(table.records.first)
        #expect(padded.cell("nik") == "1606011503800001")
        #expect(padded.cell("name") == "Siti  Aminah")
        #expect(padded.cell("kk") == nil)
        #expect(padded.cell("planned_value_idr") == "1000")
        let plain = try #require(table.records.last)
        #expect(plain.cell("name") == "Siti  Aminah")
        #expect(plain.cell("kk") == nil)
    }

    @Test("a NIK or KK in scientific notation is refused with the spreadsheet's fault named")
    func scientificNotation() throws {
        for text in ["1.6061E+15", "1,6061E+15", "1.60601e15", "2E+15"] {
            #expect(CSV.Table.isScientific(text), "\(text)")
        }
        for text in ["1606011503800001", "16.06.01", "E+15", "1.5", "1e", "1606011503800001E"] {
            #expect(!CSV.Table.isScientific(text), "\(text)")
        }
        do {
            _ = try CSV.Table("kk;nik;planned_value_idr\n\"1,6061E+15\";;5\n;1.6061E+15;5\n")
            Issue.record("scientific notation accepted")
        } catch let error as APIError {
            #expect(error.details.map(\.field) == ["row 2, kk", "row 3, nik"])
            #expect(error.details.allSatisfy { $0.problem.contains("spreadsheet") && $0.problem.contains("Text") })
        }
        // Other columns may hold such numbers; only identifiers lose digits that matter.
        #expect(try CSV.Table("nik,planned_value_idr\n1606011503800001,1E+6\n").records.count == 1)
    }

    @Test("a workbook's first sheet reads with shared strings, inline strings, numbers and gaps")
    func readWorkbook() throws {
        let bytes = try Workbooks.make(
            [
                [.shared("NIK"), .shared("kk"), .shared("planned_value_idr"), .inline("delivered_on")],
                [.shared("1606011503800001"), nil, .number("1500000"), .number("43647")],
                [nil, .inline("1606010101190001"), .number("1.5E+6"), .shared("2019-07-02")],
            ], rowNumbers: [1, 2, 5])
        let sheet = try XLSX.read(bytes, limits: Self.limits)
        #expect(sheet.rows.count == 5)
        #expect(sheet.rows[0] == ["NIK", "kk", "planned_value_idr", "delivered_on"])
        #expect(sheet.numeric.contains(.init(row: 2, column: 2)))
        #expect(!sheet.numeric.contains(.init(row: 2, column: 0)))
        let table = try CSV.Table(sheet)
        #expect(table.records.map(\.line) == [2, 5])
        #expect(table.records[0].cell("nik") == "1606011503800001")
        #expect(table.records[0].cell("kk") == nil)
        #expect(table.records[0].cell("delivered_on") == "2019-07-01")  // day 43647 of the 1900 system
        #expect(table.records[1].cell("kk") == "1606010101190001")
        #expect(table.records[1].cell("planned_value_idr") == "1500000")
        #expect(table.records[1].cell("delivered_on") == "2019-07-02")
    }

    @Test("a NIK or KK a workbook stored as a number must be an exact 16-digit whole number")
    func numericIdentifiers() throws {
        let header: [Workbooks.Cell?] = [.shared("kk"), .shared("planned_value_idr")]
        let exact = try CSV.Table(
            XLSX.read(Workbooks.make([header, [.number("1606010101190001"), .number("5")]]), limits: Self.limits))
        #expect(exact.records.first?.cell("kk") == "1606010101190001")
        for stored in ["1.6061E+15", "160601010119000", "1606010101190001.5", "16060101011900011"] {
            do {
                _ = try CSV.Table(
                    XLSX.read(Workbooks.make([header, [.number("5"), nil], [.number(stored)]]), limits: Self.limits))
                Issue.record("\(stored) accepted")
            } catch let error as APIError {
                #expect(error.details.map(\.field) == ["row 2, kk", "row 3, kk"], "\(stored)")
                #expect(error.details.allSatisfy { $0.problem.contains("spreadsheet") })
            }
        }
        // The same problem for text in scientific notation typed into a text cell.
        #expect(throws: APIError.self) {
            try CSV.Table(XLSX.read(Workbooks.make([header, [.shared("1.6061E+15")]]), limits: Self.limits))
        }
    }

    @Test("what the server writes it reads back: header, text, numbers, empty cells")
    func roundTrip() throws {
        let document = SheetDocument(
            header: ["kk", "name", "rate", "value_idr"],
            rows: [
                [.text("1606010101190001"), .text("Siti & \"Ani\" <x>"), .number("0.9486"), .number("1500000")],
                [.text("0000000000000001"), nil, nil, .number("-3")],
            ])
        let sheet = try XLSX.read(try document.xlsx(), limits: Self.limits)
        #expect(sheet.rows[0] == ["kk", "name", "rate", "value_idr"])
        #expect(sheet.rows[1] == ["1606010101190001", "Siti & \"Ani\" <x>", "0.9486", "1500000"])
        #expect(sheet.rows[2] == ["0000000000000001", "", "", "-3"])
        #expect(sheet.numeric == [.init(row: 2, column: 2), .init(row: 2, column: 3), .init(row: 3, column: 3)])
    }

    @Test("Excel's CSV dialect: byte order mark, semicolons, decimal commas; the standard one unchanged")
    func excelDialect() {
        let document = SheetDocument(
            header: ["region_code", "region", "realization_rate", "value_idr"],
            rows: [[.text("16.06.01"), .text("Sekayu; kota"), .number("0.9486"), .number("1500000")]])
        #expect(
            document.csv(.excel)
                == "\u{FEFF}region_code;region;realization_rate;value_idr\r\n16.06.01;\"Sekayu; kota\";0,9486;1500000\r\n"
        )
        #expect(
            document.csv()
                == "region_code,region,realization_rate,value_idr\r\n16.06.01,Sekayu; kota,0.9486,1500000\r\n")
    }

    @Test("broken or hostile workbooks are refused, never read past their bounds")
    func hostileWorkbooks() throws {
        #expect(throws: XLSX.ReadError.notWorkbook("it is not a ZIP archive")) {
            try XLSX.read(Array("nik\n1606011503800001".utf8), limits: Self.limits)
        }
        var truncated = try Workbooks.make([[.shared("nik")], [.shared("1606011503800001")]])
        truncated.removeLast(40)
        #expect(throws: XLSX.ReadError.self) { try XLSX.read(truncated, limits: Self.limits) }
        #expect(throws: XLSX.ReadError.notWorkbook("it has no worksheet")) {
            try XLSX.read(Workbooks.archive([("xl/workbook.xml", Workbooks.workbook)]), limits: Self.limits)
        }
        let badXML = try Workbooks.archive([
            ("xl/workbook.xml", Workbooks.workbook), ("xl/_rels/workbook.xml.rels", Workbooks.relationships),
            ("xl/worksheets/data.xml", "<worksheet><sheetData><row><c><v>1</v></c></row></sheetData></worksheet></x>"),
        ])
        #expect(throws: XLSX.ReadError.notWorkbook("its XML does not parse")) {
            try XLSX.read(badXML, limits: Self.limits)
        }
        let bomb = try Workbooks.bomb(megabytes: 20)
        #expect(bomb.count < 100_000)
        #expect(throws: XLSX.ReadError.tooLarge(8 << 20)) { try XLSX.read(bomb, limits: Self.limits) }
        let far = try Workbooks.make([[.shared("nik")], [.shared("1606011503800001")]], rowNumbers: [1, 1001])
        #expect(throws: XLSX.ReadError.tooManyRows(1000)) { try XLSX.read(far, limits: Self.limits) }
        // A cell far to the right is ignored, not padded out to column XFD.
        let wide = try Workbooks.archive([
            ("xl/workbook.xml", Workbooks.workbook), ("xl/_rels/workbook.xml.rels", Workbooks.relationships),
            (
                "xl/worksheets/data.xml",
                #"<worksheet><sheetData><row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#
            ),
        ])
        #expect(try XLSX.read(wide, limits: Self.limits).rows.isEmpty)
    }
}
