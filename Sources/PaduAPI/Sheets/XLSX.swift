import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Office Open XML workbooks (`.xlsx`), read and written in memory with ZIPFoundation and
/// Foundation's XMLParser. Reading takes the first sheet only, as rows of cell texts; writing
/// makes one sheet from a `SheetDocument`.
enum XLSX {
    static let mediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// Bounds on the work one workbook may cause: a zip bomb or a sheet of millions of rows is
    /// refused instead of filling memory.
    struct Limits: Sendable {
        /// The most bytes all the parts read may unpack to, together.
        var maxUnpackedBytes: Int
        /// The highest row number the first sheet may use.
        var maxRows: Int
        /// Cells right of this column are ignored (no table of ours has more columns).
        var maxColumns: Int = 64
    }

    /// Why a workbook could not be read.
    enum ReadError: Error, Equatable {
        /// Not a ZIP archive, or not a workbook (no sheet), or XML that does not parse.
        case notWorkbook(String)
        /// The parts unpack to more than `Limits.maxUnpackedBytes`.
        case tooLarge(Int)
        /// The sheet uses a row number above `Limits.maxRows`.
        case tooManyRows(Int)
    }

    /// The first sheet: `rows[i]` is sheet row `i + 1` (empty rows kept, so positions are the
    /// row numbers a person sees); `numeric` holds the cells the workbook stored as numbers.
    struct Sheet {
        var rows: [[String]] = []
        var numeric: Set<CellRef> = []
        /// The workbook counts dates from 1904 (old Mac Excel) instead of 1900.
        var dates1904 = false
    }

    struct CellRef: Hashable {
        var row: Int
        var column: Int
    }

    // MARK: reading

    static func read(_ bytes: [UInt8], limits: Limits) throws(ReadError) -> Sheet {
        let archive: Archive
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw .notWorkbook("it is not a ZIP archive")
        }
        var unpacked = 0
        func part(_ path: String) throws(ReadError) -> Data? {
            guard let entry = archive[path] else { return nil }
            if entry.uncompressedSize > UInt64(limits.maxUnpackedBytes - unpacked) {
                throw .tooLarge(limits.maxUnpackedBytes)
            }
            var data = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    unpacked += chunk.count
                    // The header's size can lie: count what really comes out.
                    if unpacked > limits.maxUnpackedBytes { throw ReadError.tooLarge(limits.maxUnpackedBytes) }
                    data.append(chunk)
                }
            } catch let error as ReadError {
                throw error
            } catch {
                throw .notWorkbook("its part \(path) cannot be unpacked")
            }
            return data
        }

        let workbook = try part("xl/workbook.xml")
        var sheetPath = "xl/worksheets/sheet1.xml"
        var sheet = Sheet()
        if let workbook {
            let info = try parse(workbook, WorkbookParser())
            sheet.dates1904 = info.dates1904
            if let id = info.firstSheetRelationship, let rels = try part("xl/_rels/workbook.xml.rels") {
                let targets = try parse(rels, RelationshipParser()).targets
                if let target = targets[id] {
                    sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
                }
            }
        }
        guard let sheetData = try part(sheetPath) else { throw .notWorkbook("it has no worksheet") }
        var strings: [String] = []
        if let data = try part("xl/sharedStrings.xml") { strings = try parse(data, SharedStringsParser()).strings }
        let reader = SheetParser(strings: strings, limits: limits)
        let parsed = try parse(sheetData, reader)
        if let error = parsed.failure { throw error }
        sheet.rows = parsed.rows
        sheet.numeric = parsed.numeric
        return sheet
    }

    private static func parse<Delegate: XMLParserDelegate>(_ data: Data, _ delegate: Delegate) throws(ReadError)
        -> Delegate
    {
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        if !parser.parse() || parser.parserError != nil {
            if let failure = (delegate as? SheetParser)?.failure { throw failure }
            throw .notWorkbook("its XML does not parse")
        }
        return delegate
    }

    /// `B12` → column 1 (zero-based) and row 12.
    static func cellReference(_ reference: String) -> (column: Int, row: Int?) {
        var column = 0
        var row = 0
        var digits = false
        for byte in reference.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z") where !digits:
                column = min(column * 26 + Int(byte - UInt8(ascii: "A")) + 1, 1_000_000)
            case UInt8(ascii: "a")...UInt8(ascii: "z") where !digits:
                column = min(column * 26 + Int(byte - UInt8(ascii: "a")) + 1, 1_000_000)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits = true
                row = min(row * 10 + Int(byte - UInt8(ascii: "0")), 100_000_000)
            default: break
            }
        }
        return (column - 1, digits ? row : nil)
    }

    /// An Excel day number as `yyyy-MM-dd` (the 1900 system counts the fictitious 29 February
    /// 1900, so its days from March 1900 on are one too many); nil outside 1900...9999.
    static func date(fromSerial serial: Double, dates1904: Bool) -> String? {
        guard serial.isFinite, serial >= 1, serial < 2_958_466 else { return nil }
        var days = Int(serial.rounded(.down))
        if dates1904 {
            days += 1462
        } else if days < 60 {
            days += 1
        }
        // Day 1 of the (corrected) 1900 system is 31 December 1899 + 1.
        let unixDays = days - 25569
        let date = Date(timeIntervalSince1970: Double(unixDays) * 86_400)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return nil }
        return String(format: "%04d-%02d-%02d", year, month, day)
    }
}

// MARK: parsers

private final class WorkbookParser: NSObject, XMLParserDelegate {
    var firstSheetRelationship: String?
    var dates1904 = false

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch localName(elementName) {
        case "sheet" where firstSheetRelationship == nil:
            firstSheetRelationship = attributes.first { localName($0.key) == "id" }?.value
        case "workbookPr":
            dates1904 = attributes["date1904"] == "1" || attributes["date1904"] == "true"
        default: break
        }
    }
}

private final class RelationshipParser: NSObject, XMLParserDelegate {
    var targets: [String: String] = [:]

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if localName(elementName) == "Relationship", let id = attributes["Id"], let target = attributes["Target"] {
            targets[id] = target
        }
    }
}

/// `<si>` items: the text of their `<t>` elements (rich text runs joined; phonetic runs skipped).
private final class SharedStringsParser: NSObject, XMLParserDelegate {
    var strings: [String] = []
    private var current = ""
    private var inText = false
    private var phonetic = 0

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch localName(elementName) {
        case "si": current = ""
        case "t": inText = phonetic == 0
        case "rPh": phonetic += 1
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current += string }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        switch localName(elementName) {
        case "si": strings.append(current)
        case "t": inText = false
        case "rPh": phonetic -= 1
        default: break
        }
    }
}

/// The cells of a worksheet: shared strings, inline strings, formula strings, numbers, booleans.
private final class SheetParser: NSObject, XMLParserDelegate {
    let strings: [String]
    let limits: XLSX.Limits
    var rows: [[String]] = []
    var numeric: Set<XLSX.CellRef> = []
    var failure: XLSX.ReadError?

    private var row = 0
    private var column = -1
    private var type = "n"
    private var value = ""
    private var inValue = false
    private var inInlineText = false

    init(strings: [String], limits: XLSX.Limits) {
        self.strings = strings
        self.limits = limits
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch localName(elementName) {
        case "row":
            row = attributes["r"].flatMap { Int($0) } ?? row + 1
            column = -1
            if row > limits.maxRows || row < 1 {
                failure = .tooManyRows(limits.maxRows)
                parser.abortParsing()
            }
        case "c":
            let reference = attributes["r"].map(XLSX.cellReference)
            column = reference.map(\.column) ?? column + 1
            if let cellRow = reference?.row, cellRow != row {
                row = cellRow
                if row > limits.maxRows || row < 1 {
                    failure = .tooManyRows(limits.maxRows)
                    parser.abortParsing()
                }
            }
            type = attributes["t"] ?? "n"
            value = ""
        case "v": inValue = true
        case "t": inInlineText = type == "inlineStr"
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inValue || inInlineText { value += string }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        switch localName(elementName) {
        case "v": inValue = false
        case "t": inInlineText = false
        case "c": store()
        default: break
        }
    }

    private func store() {
        guard column >= 0, column < limits.maxColumns, row >= 1 else { return }
        let text: String
        var isNumber = false
        switch type {
        case "s":
            guard let index = Int(value), strings.indices.contains(index) else { return }
            text = strings[index]
        case "b": text = value == "1" ? "true" : "false"
        case "n":
            text = value
            isNumber = !value.isEmpty
        default: text = value  // str (a formula's text), inlineStr, e (an error like #N/A)
        }
        if text.isEmpty { return }
        while rows.count < row { rows.append([]) }
        if rows[row - 1].count <= column {
            rows[row - 1].append(contentsOf: repeatElement("", count: column + 1 - rows[row - 1].count))
        }
        rows[row - 1][column] = text
        if isNumber { numeric.insert(XLSX.CellRef(row: row, column: column)) }
    }
}

/// `x:sheet` → `sheet`: workbooks may prefix the main namespace.
private func localName(_ name: String) -> Substring {
    if let colon = name.lastIndex(of: ":") { return name[name.index(after: colon)...] }
    return name[...]
}

/// Reads a workbook as an upload is read (first sheet, bounded, identifier columns checked),
/// for `padu sheet-read` and its benchmark: the header and the number of data rows.
public enum SheetReader {
    public static func read(xlsx bytes: [UInt8]) throws -> (header: [String], rows: Int) {
        let table = try CSV.Table(XLSX.read(bytes, limits: .init(maxUnpackedBytes: 64 << 20, maxRows: 1_048_576)))
        return (table.header ?? [], table.records.count)
    }
}
