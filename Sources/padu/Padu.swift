import ArgumentParser
import Foundation
import PQ

@main
struct Padu: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "padu",
        abstract: "Padu: coordinate a regency's poverty-reduction programmes.",
        discussion: """
            With PADU_DATABASE_URL unset, padu owns a PostgreSQL cluster under PADU_HOME (default ./.padu).
            """,
        subcommands: [
            DatabaseCommand.self, MigrateCommand.self, SeedDemoCommand.self, AccountCommand.self,
            AnalystCommand.self, ServeCommand.self, SheetReadCommand.self,
        ])
}

extension Padu {
    /// Runs the command; database errors print the server's message for the operator (the
    /// library's own descriptions hide it, since it may quote values).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as PQError {
            var lines = ["error: \(error.message)"]
            if let state = error.sqlState { lines[0] += " (SQLSTATE \(state))" }
            if let detail = error.detail { lines.append("detail: \(detail)") }
            if let hint = error.hint { lines.append("hint: \(hint)") }
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}
