import Foundation
import Logging
import PQ
import PaduStore

/// What every command shares: the log and the database location.
enum CommandEnvironment {
    static let logger: Logger = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let level = ProcessInfo.processInfo.environment["PADU_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            handler.logLevel = level ?? .info
            return handler
        }
        return Logger(label: "padu")
    }()

    static var location: DatabaseLocation { .fromEnvironment() }

    /// The location, with the embedded cluster started if that is what is configured.
    static func runningLocation() async throws -> DatabaseLocation {
        let location = self.location
        try await location.ensureRunning(logger: logger)
        return location
    }

    /// A password from PADU_PASSWORD, else the first line of standard input.
    static func password() throws -> String {
        if let password = ProcessInfo.processInfo.environment["PADU_PASSWORD"], !password.isEmpty {
            return password
        }
        if isatty(STDIN_FILENO) != 0 {
            FileHandle.standardError.write(Data("Password: ".utf8))
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CommandError("no password: set PADU_PASSWORD or give it on standard input")
        }
        return line
    }
}

struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
