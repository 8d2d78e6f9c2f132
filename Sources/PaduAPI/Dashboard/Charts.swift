import PaduStore

// Inline SVG bar charts. Each chart is one `<svg role="img">` with an `aria-label` and a `<title>`
// summarising it, a `viewBox` and `width="100%"` so it scales from phone to desktop. Every
// coordinate goes through `number`, which never prints NaN or infinity.

enum DashboardCharts {
    static let primaryColor = "#1f5f99"
    static let secondaryColor = "#b35900"
    static let trackColor = "#e3e7ec"
    static let textColor = "#1a1a1a"
    static let mutedTextColor = "#4a4a4a"
    static let axisColor = "#6b6b6b"

    /// One row of a horizontal bar chart. All strings are plain text.
    struct HorizontalBar: Sendable {
        /// Short label shown above the bar.
        var label: String
        /// Full description, shown as the row's tooltip (`<title>`).
        var title: String
        /// Bar length as a fraction of the full width; drawn capped to 0...1. nil → no bar at all.
        var fraction: Double?
        /// The value printed at the right, e.g. the true (uncapped) percentage.
        var valueText: String
        /// Optional second line under the bar.
        var detail: String?
    }

    /// One column of a vertical bar chart. All strings are plain text.
    struct VerticalBar: Sendable {
        var label: String
        var value: Int
        var color: String
        var title: String
    }

    static func horizontalBars(_ bars: [HorizontalBar], summary: String, color: String = primaryColor) -> String {
        let width = 480.0
        let rowHeight = bars.contains { $0.detail != nil } ? 62.0 : 44.0
        let height = rowHeight * Double(max(bars.count, 1)) + 4
        var svg = open(summary: summary, width: width, height: height, kind: "hbar")
        for (index, bar) in bars.enumerated() {
            let top = Double(index) * rowHeight
            let drawn = bar.fraction.flatMap { $0.isFinite ? min(max($0, 0), 1) : nil }
            svg += "<g class=\"row\"><title>\(esc(bar.title))</title>"
            svg += text(bar.label, x: 0, y: top + 15, size: 14, weight: "600")
            svg += text(bar.valueText, x: width, y: top + 15, size: 14, anchor: "end", weight: "700")
            if let drawn {
                svg += rect(cls: "track", x: 0, y: top + 21, width: width, height: 14, fill: trackColor)
                svg += rect(cls: "bar", x: 0, y: top + 21, width: drawn * width, height: 14, fill: color)
            }
            if let detail = bar.detail {
                svg += text(detail, x: 0, y: top + 51, size: 12, fill: mutedTextColor)
            }
            svg += "</g>\n"
        }
        return svg + "</svg>"
    }

    static func verticalBars(_ bars: [VerticalBar], summary: String, axisLabel: String? = nil) -> String {
        let width = 480.0
        let height = 240.0
        let top = 24.0
        let baseline = height - (axisLabel == nil ? 28 : 46)
        let plotHeight = baseline - top
        let slot = width / Double(max(bars.count, 1))
        let barWidth = slot * 0.64
        let largest = max(bars.map { max($0.value, 0) }.max() ?? 0, 1)
        var svg = open(summary: summary, width: width, height: height, kind: "vbar")
        for (index, bar) in bars.enumerated() {
            let barHeight = plotHeight * Double(max(bar.value, 0)) / Double(largest)
            let center = slot * Double(index) + slot / 2
            svg += "<g class=\"column\"><title>\(esc(bar.title))</title>"
            svg += rect(
                cls: "bar", x: center - barWidth / 2, y: baseline - barHeight, width: barWidth, height: barHeight,
                fill: bar.color)
            svg += text(
                DashboardFormat.integer(bar.value), x: center, y: baseline - barHeight - 6, size: 12, anchor: "middle")
            svg += text(bar.label, x: center, y: baseline + 18, size: 13, anchor: "middle")
            svg += "</g>\n"
        }
        svg += "<line x1=\"0\" y1=\"\(number(baseline))\" x2=\"\(number(width))\" y2=\"\(number(baseline))\" "
        svg += "stroke=\"\(axisColor)\" stroke-width=\"1\"/>\n"
        if let axisLabel {
            svg += text(axisLabel, x: width / 2, y: height - 8, size: 13, anchor: "middle", fill: mutedTextColor)
        }
        return svg + "</svg>"
    }

    // MARK: - Pieces

    private static func esc(_ text: String) -> String { DashboardHTML.escape(text) }

    private static func open(summary: String, width: Double, height: Double, kind: String) -> String {
        "<svg class=\"chart chart-\(kind)\" role=\"img\" aria-label=\"\(esc(summary))\" "
            + "viewBox=\"0 0 \(number(width)) \(number(height))\" width=\"100%\" "
            + "preserveAspectRatio=\"xMinYMin meet\">\n<title>\(esc(summary))</title>\n"
    }

    private static func rect(
        cls: String, x: Double, y: Double, width: Double, height: Double, fill: String
    ) -> String {
        "<rect class=\"\(cls)\" x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(max(width, 0)))\" "
            + "height=\"\(number(max(height, 0)))\" fill=\"\(fill)\"/>"
    }

    private static func text(
        _ content: String, x: Double, y: Double, size: Int, anchor: String = "start", weight: String? = nil,
        fill: String = textColor
    ) -> String {
        let weightAttribute = weight.map { " font-weight=\"\($0)\"" } ?? ""
        return "<text x=\"\(number(x))\" y=\"\(number(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" "
            + "fill=\"\(fill)\"\(weightAttribute)>\(esc(content))</text>"
    }

    /// A coordinate with at most one decimal, e.g. `12`, `12.5`, `-3.2`. Non-finite values print as `0`.
    static func number(_ value: Double) -> String {
        guard value.isFinite, value.magnitude < 1e12 else { return "0" }
        let tenths = Int64((value * 10).rounded(.toNearestOrAwayFromZero))
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
