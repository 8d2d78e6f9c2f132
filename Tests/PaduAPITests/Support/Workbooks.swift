import Foundation
import ZIPFoundation

/// Workbooks made in the test, with the same ZIP library the server reads with: the parts a
/// spreadsheet program writes (shared strings, numbers, inline strings), or broken on purpose.
enum Workbooks {
    enum Cell {
        /// A shared string (`t="s"`), as Excel writes typed text.
        case shared(String)
        /// An inline string (`t="inlineStr"`), as some exporters write.
        case inline(String)
        /// A number exactly as `<v>` holds it (`1.6061E+15`, `43647`).
        case number(String)
    }

    /// A workbook whose first sheet holds `rows` (row 1 first); cells in shared strings unless
    /// inline. The sheet's part is named `xl/worksheets/data.xml` so the reader must follow the
    /// workbook's relationships to find it.
    static func make(_ rows: [[Cell?]], rowNumbers: [Int]? = nil) throws -> [UInt8] {
        var strings: [String] = []
        var index: [String: Int] = [:]
        var sheet =
            #"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        for (position, row) in rows.enumerated() {
            let number = rowNumbers?[position] ?? position + 1
            sheet += "<row r=\"\(number)\">"
            for (column, cell) in row.enumerated() {
                let reference = String(UnicodeScalar(UInt8(65 + column))) + String(number)
                switch cell {
                case nil: continue
                case .shared(let text)?:
                    let slot = index[text] ?? strings.count
                    if index[text] == nil {
                        index[text] = slot
                        strings.append(text)
                    }
                    sheet += "<c r=\"\(reference)\" t=\"s\"><v>\(slot)</v></c>"
                case .inline(let text)?:
                    sheet += "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(escape(text))</t></is></c>"
                case .number(let value)?:
                    sheet += "<c r=\"\(reference)\"><v>\(value)</v></c>"
                }
            }
            sheet += "</row>"
        }
        sheet += "</sheetData></worksheet>"
        var shared =
            #"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        // Rich text in runs, and a phonetic run that is not part of the text.
        for text in strings {
            let half = text.index(text.startIndex, offsetBy: text.count / 2)
            shared +=
                "<si><r><t>\(escape(String(text[..<half])))</t></r><r><rPr><b/></rPr><t>\(escape(String(text[half...])))</t></r><rPh><t>x</t></rPh></si>"
        }
        shared += "</sst>"
        return try archive([
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", relationships),
            ("xl/sharedStrings.xml", shared),
            ("xl/worksheets/data.xml", sheet),
        ])
    }

    static let workbook =
        #"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId7"/><sheet name="Other" sheetId="2" r:id="rId8"/></sheets></workbook>"#
    static let relationships =
        #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/other.xml"/><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/></Relationships>"#

    /// A ZIP of these parts, deflated.
    static func archive(_ parts: [(String, String)]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in parts {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
        }
        return Array(archive.data ?? Data())
    }

    /// A small ZIP whose sheet unpacks to `megabytes` MB of blanks: a zip bomb.
    static func bomb(megabytes: Int) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in [("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", relationships)] {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
        }
        let size = megabytes << 20
        let blanks = Data(repeating: 0x20, count: 1 << 20)
        try archive.addEntry(
            with: "xl/worksheets/data.xml", type: .file, uncompressedSize: Int64(size), compressionMethod: .deflate,
            bufferSize: 1 << 20
        ) { _, chunk in blanks.prefix(chunk) }
        return Array(archive.data ?? Data())
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
