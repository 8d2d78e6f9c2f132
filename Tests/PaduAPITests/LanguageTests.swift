import Foundation
import Testing

@testable import PaduAPI

/// Errors in Bahasa Indonesia by default and in English on request; every message the code
/// writes has its Indonesian in the one catalogue.
@Suite("Language of error messages")
struct LanguageTests {
    @Test("Accept-Language is parsed with weights; Indonesian unless English is preferred")
    func acceptLanguage() {
        let cases: [(String?, Language)] = [
            (nil, .indonesian), ("", .indonesian), ("en", .english), ("EN-us", .english), ("en-GB", .english),
            ("id", .indonesian), ("id-ID", .indonesian), ("fr", .indonesian), ("*", .indonesian),
            ("en;q=0.9,id;q=0.8", .english), ("id;q=0.8, en;q=0.9", .english), ("en;q=0.5,id", .indonesian),
            ("fr, en;q=0.1", .english), ("en;q=0", .indonesian), ("en;q=abc", .indonesian), ("de, en-US, id", .english),
            ("id, en", .indonesian), ("en, id", .english), ("ms;q=1, en;q=0.2, *;q=0.1", .english),
        ]
        for (header, expected) in cases {
            #expect(Language(acceptLanguage: header) == expected, "\(header ?? "nil")")
        }
    }

    @Test("catalogue holes carry the values, translated where the catalogue knows them")
    func templates() {
        #expect(Language.indonesian.text("is required") == "wajib diisi")
        #expect(Language.english.text("is required") == "is required")
        #expect(Language.indonesian.text("must be 16 digits, got 15") == "harus 16 digit, tertulis 15")
        #expect(Language.indonesian.text("no such programme") == "Program tidak ditemukan")
        #expect(Language.indonesian.text("no such widget") == "widget tidak ditemukan")
        #expect(
            Language.indonesian.text("birth day 45 is not valid (must be 01-31, or 41-71 for women)")
                == "tanggal lahir 45 tidak valid (harus 01-31, or 41-71 for women)")
        #expect(Language.indonesian.text("something new nobody translated") == "something new nobody translated")
        for (english, indonesian) in MessageCatalogue.entries {
            #expect(
                english.components(separatedBy: "{}").count == indonesian.components(separatedBy: "{}").count,
                "holes differ: \(english)")
        }
    }

    /// Every string literal the sources pass as a message or problem: after `problem:`,
    /// `message:`, as the last argument of `add(field, ...)`, to `malformed(`, `conflict(`,
    /// `forbidden(`, `notFound(` (as `no such ...`), `problems.append(`, or a `...Problem =`
    /// constant; each interpolation written `{}`.
    static func sourceMessages() throws -> [(file: String, text: String)] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        var found: [(String, String)] = []
        for module in ["PaduAPI", "PaduCore", "PaduStore"] {
            let directory = root.appendingPathComponent(module)
            guard let walker = FileManager.default.enumerator(atPath: directory.path) else { continue }
            // The pages speak Bahasa Indonesia only: their texts are written in it, not translated.
            for case let path as String in walker where path.hasSuffix(".swift") && !path.hasPrefix("Pages/") {
                let source = try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
                for (offset, text) in literals(Array(source.unicodeScalars)) {
                    let before = String(
                        String.UnicodeScalarView(Array(source.unicodeScalars)[max(0, offset - 400)..<offset]))
                    guard let kind = messageContext(before) else { continue }
                    let key = kind == "notFound" ? "no such " + text : text
                    if key.replacingOccurrences(of: "{}", with: "").trimmingCharacters(in: .whitespaces).isEmpty {
                        continue
                    }
                    found.append(("\(module)/\(path)", key))
                }
            }
        }
        return found
    }

    /// Single-line string literals and where they start; comments, raw and multi-line strings skipped.
    static func literals(_ source: [Unicode.Scalar]) -> [(Int, String)] {
        var result: [(Int, String)] = []
        var index = 0
        func starts(_ text: String, at position: Int) -> Bool {
            let scalars = Array(text.unicodeScalars)
            return position + scalars.count <= source.count
                && Array(source[position..<position + scalars.count]) == scalars
        }
        func skip(past end: String, from position: Int) -> Int {
            var position = position
            while position < source.count && !starts(end, at: position) { position += 1 }
            return position + end.unicodeScalars.count
        }
        while index < source.count {
            if starts("//", at: index) {
                index = skip(past: "\n", from: index)
            } else if starts("\"\"\"", at: index) {
                index = skip(past: "\"\"\"", from: index + 3)
            } else if starts("#\"", at: index) {
                index = skip(past: "\"#", from: index + 2)
            } else if source[index] == "\"" {
                let start = index
                index += 1
                var text = ""
                while index < source.count && source[index] != "\"" && source[index] != "\n" {
                    if source[index] == "\\" && index + 1 < source.count {
                        if source[index + 1] == "(" {
                            var depth = 1
                            index += 2
                            while index < source.count && depth > 0 {
                                if source[index] == "(" { depth += 1 }
                                if source[index] == ")" { depth -= 1 }
                                if source[index] == "\"" {
                                    index += 1
                                    while index < source.count && source[index] != "\"" {
                                        index += source[index] == "\\" ? 2 : 1
                                    }
                                }
                                index += 1
                            }
                            text += "{}"
                            continue
                        }
                        let escaped = source[index + 1]
                        switch escaped {
                        case "n": text += "\n"
                        case "t": text += "\t"
                        default: text.unicodeScalars.append(escaped)
                        }
                        index += 2
                        continue
                    }
                    text.unicodeScalars.append(source[index])
                    index += 1
                }
                result.append((start, text))
                index += 1
            } else {
                index += 1
            }
        }
        return result
    }

    static func messageContext(_ before: String) -> String? {
        var text = before
        while let last = text.last, last.isWhitespace { text.removeLast() }
        for end in [
            "problem:", "message:", "malformed(", "conflict(", "forbidden(", "Problem =", "problems.append(",
        ] where text.hasSuffix(end) {
            return end
        }
        if text.hasSuffix("notFound(") { return "notFound" }
        // The last argument of `add(field, "...")`: after `add(`, balanced, past a top-level comma.
        if let call = text.range(of: "add(", options: .backwards) {
            var depth = 0
            var comma = false
            for character in text[call.upperBound...] {
                switch character {
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth -= 1
                case "," where depth == 0: comma = true
                default: break
                }
                if depth < 0 { return nil }
            }
            if depth == 0 && comma { return "add" }
        }
        return nil
    }

    @Test("every message and problem literal in the sources has its Indonesian in the catalogue")
    func catalogueCoversSources() throws {
        let messages = try Self.sourceMessages()
        #expect(messages.count > 100, "the scan found only \(messages.count) messages")
        #expect(messages.contains { $0.text == "give a nik or a kk, not both" })
        #expect(messages.contains { $0.text == "must be 16 digits, got {}" })
        #expect(messages.contains { $0.text == "no such programme" })
        for (file, text) in messages where MessageCatalogue.entries[text] == nil {
            Issue.record("\(file): no Indonesian for \"\(text)\" in MessageCatalogue.entries (Errors/Language.swift)")
        }
    }

    @Test("errors through HTTP: Indonesian without Accept-Language, English with it; code and field the same")
    func bothLanguages() async throws {
        let api = try await TestAPI.start("language", households: 0)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let body = Array(#"{"program_id":1,"fiscal_year":1999,"recipients":[{"nik":"1","kk":"2"}]}"#.utf8)
        func check(_ language: String?) async throws -> HTTPResult {
            var headers = [("Authorization", "Bearer \(baznas)"), ("Content-Type", "application/json")]
            if let language { headers.append(("Accept-Language", language)) }
            return try await HTTPClient.request(
                port: api.port, "POST", "/api/v1/coordination/check", headers: headers, body: body)
        }
        let indonesian = try await check(nil)
        let english = try await check("en-US,en;q=0.9,id;q=0.8")
        let preferred = try await check("id-ID, en;q=0.5")
        #expect(indonesian.status == 422)
        #expect(english.status == 422)
        #expect(indonesian.header("Content-Language") == "id")
        #expect(english.header("Content-Language") == "en")
        let id = try #require(indonesian.envelope?.error)
        let en = try #require(english.envelope?.error)
        #expect(id.code == en.code)
        #expect(id.details.map(\.field) == en.details.map(\.field))
        #expect(en.message == "some fields are not valid")
        #expect(id.message == "Beberapa isian tidak valid")
        #expect(en.details.map(\.problem).contains("give a nik or a kk, not both"))
        #expect(id.details.map(\.problem).contains("isi nik atau kk, jangan keduanya"))
        #expect(id.details.map(\.problem).contains("harus tahun dari 2000 sampai 2100"))
        #expect(preferred.text == indonesian.text)

        let anonymous = try await HTTPClient.request(port: api.port, "GET", "/api/v1/programs")
        #expect(anonymous.status == 401)
        #expect(anonymous.envelope?.error.message.hasPrefix("Silakan masuk") == true)
        let spreadsheet = try await HTTPClient.request(
            port: api.port, "POST",
            "/api/v1/coordination/check?program_id=\(api.programs["BEDAH-RUMAH"]!)&fiscal_year=2019",
            headers: [("Authorization", "Bearer \(baznas)"), ("Content-Type", "text/csv")],
            body: Array("kk\n1,6061E+15\n".utf8))
        #expect(spreadsheet.status == 422)
        #expect(spreadsheet.envelope?.error.details.first?.problem.contains("format kolom menjadi Teks") == true)
    }
}
