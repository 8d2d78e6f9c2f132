import Foundation

/// A page's posted form: `application/x-www-form-urlencoded` fields, or `multipart/form-data`
/// fields and files (an uploaded recipient or delivery list). Forms work without JavaScript.
struct PageForm: Sendable {
    /// One uploaded file.
    struct File: Sendable {
        var filename: String
        var contentType: String
        var bytes: [UInt8]
    }

    private(set) var fields: [String: [String]] = [:]
    private(set) var files: [String: File] = [:]

    /// The first value of a field, trimmed; nil when absent or blank.
    func value(_ name: String) -> String? {
        guard let text = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
        else { return nil }
        return text
    }

    /// Every value of a field (checkboxes), in the order posted.
    func values(_ name: String) -> [String] { fields[name] ?? [] }

    /// The uploaded file of a field, when one with content was chosen.
    func file(_ name: String) -> File? {
        guard let file = files[name], !file.bytes.isEmpty else { return nil }
        return file
    }

    /// Field names posted, for the per-line fields of the review form.
    var names: Dictionary<String, [String]>.Keys { fields.keys }

    /// Parses a body by its Content-Type; nil for a type no page form sends.
    init?(contentType: String?, body: [UInt8]) {
        let type = (contentType ?? "").lowercased()
        if type.hasPrefix("application/x-www-form-urlencoded") {
            for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = Self.decode(parts[0]) else { continue }
                fields[name, default: []].append(parts.count > 1 ? Self.decode(parts[1]) ?? "" : "")
            }
        } else if type.hasPrefix("multipart/form-data"), let boundary = Self.boundary(contentType ?? "") {
            guard parseMultipart(body, boundary: boundary) else { return nil }
        } else {
            return nil
        }
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    private static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else {
                continue
            }
            let value = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                in: CharacterSet(charactersIn: "\""))
            return value.isEmpty || value.count > 200 ? nil : value
        }
        return nil
    }

    /// RFC 7578: parts between `--boundary` lines, each with headers, a blank line and content.
    private mutating func parseMultipart(_ body: [UInt8], boundary: String) -> Bool {
        let delimiter = Array("--\(boundary)".utf8)
        var position = Self.find(delimiter, in: body, from: 0)
        guard var start = position else { return false }
        while true {
            start += delimiter.count
            // `--` after the delimiter closes the body.
            if start + 1 < body.count, body[start] == UInt8(ascii: "-"), body[start + 1] == UInt8(ascii: "-") {
                return true
            }
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: start) else { return false }
            let headerText = String(decoding: body[start..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            position = Self.find(Array("\r\n".utf8) + delimiter, in: body, from: contentStart)
            guard let contentEnd = position else { return false }
            addPart(headers: headerText, content: Array(body[contentStart..<contentEnd]))
            start = contentEnd + 2
        }
    }

    private mutating func addPart(headers: String, content: [UInt8]) {
        var name: String?
        var filename: String?
        var type = "application/octet-stream"
        for line in headers.split(whereSeparator: \.isNewline) {
            let lower = line.lowercased()
            if lower.hasPrefix("content-disposition:") {
                name = Self.parameter("name", in: String(line))
                filename = Self.parameter("filename", in: String(line))
            } else if lower.hasPrefix("content-type:") {
                type = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces).lowercased()
            }
        }
        guard let name else { return }
        if let filename {
            files[name] = File(filename: filename, contentType: type, bytes: content)
        } else {
            fields[name, default: []].append(String(decoding: content, as: UTF8.self))
        }
    }

    private static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            return pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else {
            return nil
        }
        var index = from
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0] {
                var match = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    match = false
                    break
                }
                if match { return index }
            }
            index += 1
        }
        return nil
    }
}
