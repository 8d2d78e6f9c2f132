import PaduStore

// HTML escaping and the few small builders the pages share. Everything that comes from data goes
// through `escape` exactly once; builders take already-escaped HTML fragments unless a parameter
// is documented as plain text.

enum DashboardHTML {
    /// Escapes `& < > " '` so text is safe in element content and in quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A complete document. `title` is plain text; `body` is HTML.
    static func document(title: String, body: String, extraCSS: String = "") -> String {
        """
        <!DOCTYPE html>
        <html lang="id">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        \(DashboardStyles.css)\(extraCSS)
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// A `<section>` labelled by its `<h2>`. `heading` is plain text; `content` is HTML.
    static func section(id: String, heading: String, headingClass: String? = nil, content: String) -> String {
        let classAttribute = headingClass.map { " class=\"\($0)\"" } ?? ""
        return """
            <section id="\(id)" aria-labelledby="\(id)-judul">
            <h2 id="\(id)-judul"\(classAttribute)>\(escape(heading))</h2>
            \(content)
            </section>
            """
    }

    /// One table cell: `html` is already escaped.
    struct Cell: Sendable {
        var html: String
        var numeric: Bool = false
        var title: String? = nil

        static func text(_ text: String) -> Cell { Cell(html: escape(text)) }
        static func number(_ formatted: String) -> Cell { Cell(html: escape(formatted), numeric: true) }

        /// A small cell hidden for privacy: "—" visually, with the reason for assistive technology.
        static let suppressed = Cell(
            html: "<span aria-hidden=\"true\">\(DashboardFormat.missing)</span>"
                + "<span class=\"visually-hidden\">\(escape(suppressedNote))</span>",
            numeric: true,
            title: suppressedNote
        )

        /// A nullable count: nil means the cell was suppressed upstream.
        static func count(_ value: Int?) -> Cell { value.map { number(DashboardFormat.integer($0)) } ?? suppressed }

        /// A nullable amount: nil means the cell was suppressed upstream.
        static func money(_ value: Int64?) -> Cell { value.map { number(DashboardFormat.rupiah($0)) } ?? suppressed }
    }

    static let suppressedNote = "disembunyikan (< 5 rumah tangga)"

    /// A captioned table in a horizontally scrollable wrapper. The first cell of each row is the row header.
    /// `caption` and `headers` are plain text.
    /// `stacked`: below 600 px each row becomes a block of labelled lines (`data-label`) instead
    /// of scrolling sideways inside its box.
    static func table(
        caption: String, headers: [(String, numeric: Bool)], rows: [[Cell]], stacked: Bool = false,
        captionHidden: Bool = false, compact: Bool = false
    ) -> String {
        let classes = "table-wrap" + (stacked ? " stack" : "") + (compact ? " compact" : "")
        var html = "<div class=\"\(classes)\" tabindex=\"0\" role=\"region\" "
        html += "aria-label=\"\(escape(caption))\">\n"
        html += "<table>\n<caption\(captionHidden ? " class=\"visually-hidden\"" : "")>\(escape(caption))</caption>\n"
        html += "<thead><tr>"
        for header in headers {
            html += "<th scope=\"col\"\(header.numeric ? " class=\"num\"" : "")>\(escape(header.0))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        if rows.isEmpty {
            html += "<tr><td colspan=\"\(max(headers.count, 1))\">Tidak ada data.</td></tr>\n"
        }
        for row in rows {
            html += "<tr>"
            for (index, cell) in row.enumerated() {
                let tag = index == 0 ? "th" : "td"
                let scope = index == 0 ? " scope=\"row\"" : ""
                let cls = cell.numeric ? " class=\"num\"" : ""
                let title = cell.title.map { " title=\"\(escape($0))\"" } ?? ""
                let label =
                    stacked && index > 0 && index < headers.count ? " data-label=\"\(escape(headers[index].0))\"" : ""
                html += "<\(tag)\(scope)\(cls)\(title)\(label)>\(cell.html)</\(tag)>"
            }
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>\n</div>"
        return html
    }
}
