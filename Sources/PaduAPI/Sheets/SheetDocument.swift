import Foundation
import ZIPFoundation

/// A table to hand out as a spreadsheet: a header row and typed cells. The one place a
/// response becomes CSV (plain or for Excel) or an XLSX workbook.
struct SheetDocument: Sendable {
    enum Value: Sendable, Equatable {
        /// Text, kept as text everywhere (identifiers, codes, dates, names).
        case text(String)
        /// A number in JSON's notation (`0.9486`, `1500000`).
        case number(String)
    }

    var header: [String]
    var rows: [[Value?]]
    /// Columns a person will type identifiers into (a template): formatted as Text in a
    /// workbook, so Excel keeps all 16 digits of a NIK.
    var textColumns: Set<Int> = []

    init(header: [String], rows: [[Value?]], textColumns: Set<Int> = []) {
        self.header = header
        self.rows = rows
        self.textColumns = textColumns
    }

    /// A document whose cells are all text (or absent).
    init(header: [String], text rows: [[String?]]) {
        self.header = header
        self.rows = rows.map { $0.map { $0.map(Value.text) } }
    }

    // MARK: CSV

    /// `standard`: RFC 4180, comma, decimal point. `excel`: what Indonesian Excel opens as
    /// columns: semicolon, a UTF-8 byte order mark, decimal commas.
    enum CSVDialect: String, Sendable {
        case standard, excel
    }

    func csv(_ dialect: CSVDialect = .standard) -> String {
        let separator: Character = dialect == .excel ? ";" : ","
        var text = dialect == .excel ? "\u{FEFF}" : ""
        text += header.map { CSV.field($0, separator: separator) }.joined(separator: String(separator)) + "\r\n"
        for row in rows {
            text +=
                row.map { value -> String in
                    switch value {
                    case nil: return ""
                    case .text(let text)?: return CSV.field(text, separator: separator)
                    case .number(let number)?:
                        return dialect == .excel ? number.replacingOccurrences(of: ".", with: ",") : number
                    }
                }
                .joined(separator: String(separator)) + "\r\n"
        }
        return text
    }

    // MARK: XLSX

    /// A workbook of one sheet named `name`: the header row, numbers as numbers, text as
    /// inline strings.
    func xlsx(sheetName: String = "Padu") throws -> [UInt8] {
        var sheet = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
            """
        if !header.isEmpty {
            sheet += "<cols>"
            for column in header.indices {
                let style = textColumns.contains(column) ? " style=\"1\"" : ""
                sheet += "<col min=\"\(column + 1)\" max=\"\(column + 1)\" width=\"20\" customWidth=\"1\"\(style)/>"
            }
            sheet += "</cols>"
        }
        sheet += "<sheetData>"
        func cell(_ value: SheetDocument.Value?, row: Int, column: Int) -> String {
            let reference = Self.columnName(column) + String(row)
            let style = textColumns.contains(column) ? " s=\"1\"" : ""
            switch value {
            case nil: return textColumns.contains(column) ? "<c r=\"\(reference)\"\(style)/>" : ""
            case .text(let text)?:
                return
                    "<c r=\"\(reference)\"\(style) t=\"inlineStr\"><is><t xml:space=\"preserve\">\(Self.escape(text))</t></is></c>"
            case .number(let number)?: return "<c r=\"\(reference)\"\(style)><v>\(Self.escape(number))</v></c>"
            }
        }
        sheet += "<row r=\"1\">"
        for (column, name) in header.enumerated() { sheet += cell(.text(name), row: 1, column: column) }
        sheet += "</row>"
        for (index, row) in rows.enumerated() {
            sheet += "<row r=\"\(index + 2)\">"
            for (column, value) in row.enumerated() { sheet += cell(value, row: index + 2, column: column) }
            sheet += "</row>"
        }
        sheet += "</sheetData></worksheet>"

        let parts: [(String, String)] = [
            (
                "[Content_Types].xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
                <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
                <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
                </Types>
                """
            ),
            (
                "_rels/.rels",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
                </Relationships>
                """
            ),
            (
                "xl/workbook.xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
                xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
                <sheets><sheet name="\(Self.escape(sheetName))" sheetId="1" r:id="rId1"/></sheets></workbook>
                """
            ),
            (
                "xl/_rels/workbook.xml.rels",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
                <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
                </Relationships>
                """
            ),
            (
                "xl/styles.xml",
                // Style 1 is number format 49, "@": Text.
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
                <fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>\
                <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
                <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
                <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
                <cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
                <xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
                </styleSheet>
                """
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in parts {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count),
                modificationDate: Date(timeIntervalSince1970: 1_577_836_800), compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return Array(archive.data ?? Data())
    }

    /// 0 → `A`, 26 → `AA`.
    static func columnName(_ index: Int) -> String {
        var index = index + 1
        var name = ""
        while index > 0 {
            let remainder = (index - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            index = (index - 1) / 26
        }
        return name
    }

    /// Text for XML: the five special characters escaped, and characters XML 1.0 cannot carry
    /// (control characters other than tab and line breaks) left out.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
