import Foundation

/// Where and how to connect: a libpq connection string or `postgresql://` URL, plus
/// keyword overrides.
public struct PQConnectionConfiguration: Sendable, CustomStringConvertible {
    /// A `postgresql://` URL or `key=value` connection string, as libpq reads it.
    public var connectionString: String
    /// libpq keywords that override the connection string (`application_name`, `options`, ...).
    public var overrides: [String: String]
    /// How long establishing a connection may take.
    public var connectTimeout: Duration

    public init(
        _ connectionString: String, overrides: [String: String] = [:],
        connectTimeout: Duration = .seconds(10)
    ) {
        self.connectionString = connectionString
        self.overrides = overrides
        self.connectTimeout = connectTimeout
    }

    /// The connection string with any password removed, for logs.
    public var description: String {
        Self.redact(connectionString)
    }

    static func redact(_ text: String) -> String {
        // postgresql://user:secret@host → postgresql://user:***@host; password=secret → password=***
        var result = text
        if let scheme = result.range(of: "://"), let at = result[scheme.upperBound...].firstIndex(of: "@") {
            let userInfo = result[scheme.upperBound..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                result.replaceSubrange(result.index(after: colon)..<at, with: "***")
            }
        }
        return result.split(separator: " ").map {
            $0.hasPrefix("password=") ? "password=***" : String($0)
        }.joined(separator: " ").replacing(/([?&]password=)[^&]*/, with: { "\($0.1)***" })
    }
}
