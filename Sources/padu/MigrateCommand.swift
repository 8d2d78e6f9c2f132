import ArgumentParser
import Foundation
import PQ
import PaduStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply the sql/ migrations in order; safe to run again.")

    func run() async throws {
        let location = try await CommandEnvironment.runningLocation()
        let report = try await Self.migrate(location)
        if report.applied.isEmpty && report.regionsLoaded == nil {
            print("the database is up to date")
        }
        for name in report.applied { print("applied \(name)") }
        if let regions = report.regionsLoaded { print("loaded \(regions) regions") }
    }

    /// Applies the migrations; then, when `PADU_API_PASSWORD` is set, makes it the password of
    /// the `padu_api` login, so that `serve` can sign in as padu_api over TCP (containers).
    static func migrate(_ location: DatabaseLocation) async throws -> Migrator.Report {
        let logger = CommandEnvironment.logger
        let client = PQClient(
            configuration: PQClientConfiguration(connection: location.adminConnection, maximumConnections: 1),
            logger: logger)
        defer { client.close() }
        let report = try await Migrator(client: client, logger: logger).migrate()
        if let password = ProcessInfo.processInfo.environment["PADU_API_PASSWORD"], !password.isEmpty {
            try await client.withConnection { connection in
                // A utility statement takes no parameters: the server quotes the literal.
                let statement = try await connection.query(
                    "SELECT format('ALTER ROLE padu_api PASSWORD %L', \(password)::text)"
                ).first(String.self)!
                try await connection.execute(script: statement)
            }
        }
        return report
    }
}

struct SeedDemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-demo",
        abstract: "Load Musi Banyuasin's agencies, the 2019 programmes and a synthetic registry.")

    @Option(help: "Synthetic households to generate (about 3.75 persons each).")
    var households: Int = 2_000

    @Option(
        help: """
            Regencies of South Sumatra to seed: Musi Banyuasin, then the next ones by code, each with its own \
            agencies (DINSOS-1601, ...), Klaster 1 and coordinator; the registry spans them all.
            """)
    var regencies: Int = 1

    @Option(help: "Random seed: the same seed gives the same registry.")
    var seed: UInt64 = 2019

    @Option(help: "Synthetic deliveries in 2019, spread over the demo's programmes (with approved plans).")
    var deliveries: Int = 0

    @Option(help: "Programmes to spread the deliveries over (the demo's 7 plus synthetic ones, up to 20).")
    var programmes: Int = 20

    @Option(
        help:
            "Synthetic plan lines in 2019 without deliveries, half submitted, half approved, over the programmes of agencies other than Dinkes (for the check's other_plans)."
    )
    var planLines: Int = 0

    func run() async throws {
        let location = try await CommandEnvironment.runningLocation()
        _ = try await MigrateCommand.migrate(location)
        let logger = CommandEnvironment.logger
        let report = try await withAdminConnection(location.adminConnection, logger: logger) { connection in
            let report = try await DemoSeeder(logger: logger).seed(
                on: connection, households: households, seed: seed, regencies: regencies)
            // The meeting's story needs the registry: plans, deliveries and outputs of its programmes.
            try await DemoStory(logger: logger).seed(on: connection)
            return report
        }
        print("agencies: \(report.agencies), programmes: \(report.programs)")
        if deliveries > 0 {
            let clock = ContinuousClock()
            var stored = 0
            var timings = DemoActivity.Timings()
            let elapsed = try await clock.measure {
                (stored, timings) = try await withAdminConnection(location.adminConnection, logger: logger) {
                    connection in
                    let seeded = try await DemoActivity(logger: logger).seedTimed(
                        on: connection, deliveries: deliveries, programmes: programmes)
                    _ = try await connection.query("SELECT padu.refresh_summary()")
                    return seeded
                }
            }
            print(
                "synthetic deliveries: \(stored) in \(elapsed.formatted(.units(allowed: [.seconds], width: .narrow)))")
            for (label, step) in [
                ("plans drafted (lines, submission)", timings.plans), ("plans approved", timings.approvals),
                ("deliveries inserted", timings.deliveries),
            ] {
                let cpu = step.backendCPU.map { String(format: ", PostgreSQL backend CPU %.1f s", $0) } ?? ""
                print("  \(label): " + String(format: "wall %.1f s", step.wall) + cpu)
            }
        }
        if planLines > 0 {
            let stored = try await withAdminConnection(location.adminConnection, logger: logger) { connection in
                try await DemoActivity(logger: logger).seedPlanLines(on: connection, lines: planLines)
            }
            print("synthetic plan lines: \(stored)")
        }
        if report.households > 0 {
            print(
                "synthetic registry: \(report.households) households, \(report.persons) persons in "
                    + String(format: "%.1f s", report.registrySeconds))
        }
    }
}
