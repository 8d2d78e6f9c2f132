import ArgumentParser
import Foundation
import PaduAPI

/// `padu sheet-read FILE.xlsx`: reads a workbook as the API reads an upload and says how long
/// it took (what `scripts/bench-xlsx` measures).
struct SheetReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sheet-read", abstract: "Read an XLSX file as an upload is read; print its header, rows and time.")

    @Argument(help: "The .xlsx file.")
    var file: String

    @Option(help: "Read it this many times; the time printed is the fastest.")
    var times: Int = 5

    func run() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        var best = Double.infinity
        var result: (header: [String], rows: Int) = ([], 0)
        for _ in 0..<max(1, times) {
            let start = ContinuousClock.now
            result = try SheetReader.read(xlsx: bytes)
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        print("columns: \(result.header.joined(separator: ","))")
        print(
            "rows: \(result.rows), bytes: \(bytes.count), fastest of \(max(1, times)): \(String(format: "%.3f", best)) s"
        )
    }
}
