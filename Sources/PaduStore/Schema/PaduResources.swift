import Foundation

/// The files Padu ships with: SQL migrations and reference data.
enum PaduResources {
    /// The folder holding `sql/` and `data/`: `PADU_RESOURCES` if set (deployments that copy
    /// the files elsewhere), else the package's resource bundle.
    static var root: URL {
        if let override = ProcessInfo.processInfo.environment["PADU_RESOURCES"] {
            return URL(fileURLWithPath: override)
        }
        return Bundle.module.bundleURL
    }

    static func file(_ relativePath: String) throws -> String {
        let url = root.appendingPathComponent(relativePath)
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw StoreError.missingResource(url.path)
        }
    }

    /// `sql/NNNN_name.sql` in order.
    static func migrations() throws -> [(name: String, sql: String)] {
        let folder = root.appendingPathComponent("sql")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        return try names.map { ($0, try file("sql/" + $0)) }
    }

    /// The national region list, in parts (each part a CSV with a `kode,nama` header).
    static func regionFiles() throws -> [String] {
        let folder = root.appendingPathComponent("data")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("wilayah-") && $0.hasSuffix(".csv") }.sorted()
        return try names.map { try file("data/" + $0) }
    }
}

/// Failures of the store layer that are not SQL errors.
public enum StoreError: Error, CustomStringConvertible {
    case missingResource(String)
    case migrationModified(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .missingResource(let path): "a file Padu needs is missing: \(path)"
        case .migrationModified(let name):
            "migration \(name) was applied before and has been edited since; restore it and put the change in a new migration"
        case .invalidArgument(let text): text
        }
    }
}
