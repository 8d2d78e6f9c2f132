import Foundation

/// RFC 4180 CSV: comma-separated, fields quoted with `"` when they hold a comma, quote or
/// line break, quotes doubled inside. Lines end with CRLF or LF.
enum CSV {
    /// Parses text into rows of fields. Throws on an unterminated quoted field.
    static func parse(_ text: String) throws -> [[String]] {
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
            case ",":
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

    /// A CSV with a header row, read by column name: header names trimmed and lowercased,
    /// blank lines skipped, each record with the line it came from (the header is line 1).
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
                let value = cells[column].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
        }

        /// Throws 422 naming each cell that holds a NUL character, which PostgreSQL cannot store.
        init(_ text: String) throws {
            let rows = try CSV.parse(text)
            if text.utf8.contains(0) {
                let header = rows.first ?? []
                var details: [APIError.Detail] = []
                for (offset, row) in rows.enumerated() {
                    for (column, cell) in row.enumerated() where cell.utf8.contains(0) {
                        let name =
                            column < header.count && offset > 0
                            ? header[column].trimmingCharacters(in: .whitespaces).lowercased() : "column \(column + 1)"
                        details.append(
                            .init(field: offset == 0 ? "header" : "row \(offset + 1), \(name)", problem: nulProblem))
                    }
                }
                throw APIError.validation(details.isEmpty ? [.init(field: "body", problem: nulProblem)] : details)
            }
            header = rows.first?.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let columns = Dictionary(
                (header ?? []).enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            records = rows.dropFirst().enumerated().compactMap { offset, row in
                row.allSatisfy(\.isEmpty) ? nil : Record(line: offset + 2, cells: row, columns: columns)
            }
        }
    }

    /// One field, quoted when needed. A leading `=`, `+`, `-` or `@` is prefixed with `'` so a
    /// spreadsheet does not run it as a formula.
    static func field(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@".contains(first), Double(text) == nil { text = "'" + text }
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }

    /// A document from a header and rows; nil cells are empty.
    static func document(header: [String], rows: [[String?]]) -> String {
        var text = header.map(field).joined(separator: ",") + "\r\n"
        for row in rows {
            text += row.map { $0.map(field) ?? "" }.joined(separator: ",") + "\r\n"
        }
        return text
    }
}
