import ArgumentParser
import PaduAPI
import PaduStore

struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "API accounts.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account (or reset it); the password comes from PADU_PASSWORD or standard input.")

        @Argument(help: "Username: 3-64 lowercase letters, digits, '.', '_' or '-'.")
        var username: String

        @Option(help: "agency, coordinator, executive or admin.")
        var role: String

        @Option(help: "The agency's code (for agency and coordinator accounts), e.g. DINSOS.")
        var agency: String?

        @Option(help: "Region scope: what the account may see, e.g. 16.06 for all of Musi Banyuasin.")
        var scope: String = "16.06"

        func run() async throws {
            let password = try CommandEnvironment.password()
            guard password.count >= PasswordHasher.minimumLength else {
                throw CommandError("a password needs at least \(PasswordHasher.minimumLength) characters")
            }
            let hash = try await PasswordHasher().hash(password)
            let location = try await CommandEnvironment.runningLocation()
            let id = try await withAdminConnection(location.adminConnection, logger: CommandEnvironment.logger) {
                try await AccountAdmin.createAccount(
                    on: $0, username: username, passwordHash: hash, role: role, agencyCode: agency, scope: scope)
            }
            print("account \(username.lowercased()) (\(role)) has id \(id)")
        }
    }
}

struct AnalystCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyst", abstract: "Analysts' PostgreSQL logins (read-only, schema analytics).",
        subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an analyst login; the password comes from PADU_PASSWORD or standard input.")

        @Argument(help: "The login name.")
        var name: String

        func run() async throws {
            let password = try CommandEnvironment.password()
            let location = try await CommandEnvironment.runningLocation()
            try await withAdminConnection(location.adminConnection, logger: CommandEnvironment.logger) {
                try await AccountAdmin.createAnalyst(on: $0, name: name, password: password)
            }
            print("analyst \(name) can connect with psql; see docs/analytics.md")
        }
    }
}
