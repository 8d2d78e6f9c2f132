import Foundation

/// RFC 4180 CSV: comma-separated, fields quoted with `"` when they hold a comma, quote or
/// line break, quotes doubled inside. Lines end with CRLF or LF. Read in, the separator may
/// also be `;` (what Excel writes where the decimal mark is a comma, as in Indonesia), and a
/// UTF-8 byte order mark is skipped.
enum CSV {
    /// `,` when the first line holds more commas than semicolons outside quotes, else `;`. A
    /// header of one column has neither: `;` then keeps a decimal comma in its values whole
    /// (`1,6061E+15`, as Indonesian Excel writes a number without quotes).
    static func separator(of text: Substring) -> Unicode.Scalar {
        var commas = 0
        var semicolons = 0
        var inQuotes = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": inQuotes.toggle()
            case "," where !inQuotes: commas += 1
            case ";" where !inQuotes: semicolons += 1
            case "\n" where !inQuotes: return commas > semicolons ? "," : ";"
            default: break
            }
        }
        return commas > semicolons ? "," : ";"
    }

    /// Parses text into rows of fields. Throws on an unterminated quoted field.
    static func parse(_ text: String, separator: Unicode.Scalar = ",") throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        var line = 1
        while let scalar = next() {
            if inQuotes {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            inQuotes = false
                            pending = following
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: inQuotes = true
            case separator:
                row.append(field)
                field = ""
            case "\r": continue
            case "\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
                line += 1
            default: field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw APIError.malformed("CSV: a quoted field opened before line \(line) never closes") }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }

    /// A table with a header row (from CSV or the first sheet of a workbook), read by column
    /// name: header names trimmed and lowercased, blank lines skipped, each record with the line
    /// it came from (the header is line 1).
    struct Table {
        /// Nil when the text holds no line at all.
        let header: [String]?
        let records: [Record]

        struct Record {
            let line: Int
            let cells: [String]
            let columns: [String: Int]

            /// The trimmed value of a column; nil when absent or empty.
            func cell(_ name: String) -> String? {
                guard let column = columns[name], column < cells.count else { return nil }
                var value = cells[column]
                // Trimmed only when an end is blank: most cells are not, and trimming cost more
                // than the rest of reading a 10,000-row list.
                let blank = CharacterSet.whitespaces
                if let first = value.unicodeScalars.first, let last = value.unicodeScalars.last,
                    blank.contains(first) || blank.contains(last)
                {
                    value = value.trimmingCharacters(in: blank)
                }
                return value.isEmpty ? nil : value
            }
        }

        /// Columns that hold a NIK or KK: a spreadsheet that turned one into a number has lost
        /// digits, which no later check could recover.
        static let identifierColumns: Set<String> = ["nik", "kk"]

        /// CSV text, `,` or `;` separated, with or without a byte order mark.
        init(_ text: String) throws {
            let body = text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text
            let firstLine = body.prefix { $0 != "\n" }
            try self.init(rows: try CSV.parse(body, separator: CSV.separator(of: firstLine)))
        }

        /// The first sheet of a workbook. Numbers in date columns (`..._on`, `..._date`) are
        /// day numbers, read as dates.
        init(_ sheet: XLSX.Sheet) throws {
            var rows = sheet.rows
            let header = (rows.first ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            var numericIdentifiers: [APIError.Detail] = []
            for cell in sheet.numeric.sorted(by: { ($0.row, $0.column) < ($1.row, $1.column) }) where cell.row > 1 {
                guard cell.column < header.count else { continue }
                let name = header[cell.column]
                let text = rows[cell.row - 1][cell.column]
                if Self.identifierColumns.contains(name) {
                    // Only an exact 16-digit whole number can still be the identifier typed.
                    if !(text.utf8.count == 16 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }) {
                        numericIdentifiers.append(
                            .init(field: "row \(cell.row), \(name)", problem: Table.numbersProblem(text)))
                    }
                } else if name.hasSuffix("_on") || name.hasSuffix("_date"), let serial = Double(text),
                    let date = XLSX.date(fromSerial: serial, dates1904: sheet.dates1904)
                {
                    rows[cell.row - 1][cell.column] = date
                } else if let number = Double(text), number == number.rounded(), abs(number) < 9e15,
                    !text.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x2D })
                {
                    // `1.5E+6` as Excel writes it: the whole number it is.
                    rows[cell.row - 1][cell.column] = String(Int64(number))
                }
            }
            if !numericIdentifiers.isEmpty { throw APIError.validation(numericIdentifiers) }
            try self.init(rows: rows)
        }

        /// Throws 422 naming each cell that holds a NUL character, which PostgreSQL cannot
        /// store, or a NIK or KK in scientific notation.
        init(rows: [[String]]) throws {
            let header = rows.first?.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            func name(_ column: Int, _ offset: Int) -> String {
                column < (header?.count ?? 0) && offset > 0 ? header![column] : "column \(column + 1)"
            }
            var details: [APIError.Detail] = []
            for (offset, row) in rows.enumerated() {
                for (column, cell) in row.enumerated() where cell.utf8.contains(0) {
                    details.append(
                        .init(
                            field: offset == 0 ? "header" : "row \(offset + 1), \(name(column, offset))",
                            problem: nulProblem))
                }
            }
            if !details.isEmpty { throw APIError.validation(details) }
            let identifiers = (header ?? []).enumerated().filter { Self.identifierColumns.contains($0.element) }
            for (offset, row) in rows.enumerated().dropFirst() {
                for (column, name) in identifiers where column < row.count {
                    let cell = row[column].trimmingCharacters(in: .whitespaces)
                    if Self.isScientific(cell) {
                        details.append(.init(field: "row \(offset + 1), \(name)", problem: Self.numbersProblem(cell)))
                    }
                }
            }
            if !details.isEmpty { throw APIError.validation(details) }
            self.header = header
            let columns = Dictionary(
                (header ?? []).enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            records = rows.dropFirst().enumerated().compactMap { offset, row in
                row.allSatisfy(\.isEmpty) ? nil : Record(line: offset + 2, cells: row, columns: columns)
            }
        }

        /// `1.6061E+15`, `1,6061E+15`, `1.60601E15`: digits, an optional decimal part, an exponent.
        static func isScientific(_ text: String) -> Bool {
            var bytes = Substring(text).utf8[...]
            func digits() -> Int {
                let count = bytes.prefix { (0x30...0x39).contains($0) }.count
                bytes = bytes.dropFirst(count)
                return count
            }
            guard digits() > 0 else { return false }
            if let mark = bytes.first, mark == UInt8(ascii: ".") || mark == UInt8(ascii: ",") {
                bytes = bytes.dropFirst()
                _ = digits()
            }
            guard let e = bytes.first, e == UInt8(ascii: "E") || e == UInt8(ascii: "e") else { return false }
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                bytes = bytes.dropFirst()
            }
            return digits() > 0 && bytes.isEmpty
        }

        static func numbersProblem(_ text: String) -> String {
            "reads \(text): a spreadsheet turned this column into numbers and lost digits; format the column as Text and type the 16 digits again"
        }
    }

    /// One field, quoted when needed. A leading `=`, `+`, `-` or `@` is prefixed with `'` so a
    /// spreadsheet does not run it as a formula.
    static func field(_ value: String, separator: Character = ",") -> String {
        var text = value
        if let first = text.first, "=+-@".contains(first), Double(text) == nil { text = "'" + text }
        if text.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }

    /// A document from a header and rows; nil cells are empty.
    static func document(header: [String], rows: [[String?]]) -> String {
        SheetDocument(header: header, text: rows).csv()
    }
}
