import ArgumentParser
import PQ
import PaduStore

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "The embedded PostgreSQL cluster under PADU_HOME.",
        subcommands: [Start.self, Stop.self, Status.self, URL.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create (if needed) and start the cluster.",
            discussion: """
                With --standby, also a streaming hot standby of it in PADU_HOME/standby (pg_basebackup -R \
                from the running primary, its own socket and loopback port): serve then reads the summary, \
                regions and dashboard there, and analysts are pointed at it.
                """)

        @Flag(help: "Also create (if needed) and start a streaming standby in PADU_HOME/standby.")
        var standby = false

        func run() async throws {
            let location = try await CommandEnvironment.runningLocation()
            guard case .embedded(let cluster) = location.kind else {
                print("PADU_DATABASE_URL is set: padu does not manage that server")
                return
            }
            print(
                "PostgreSQL is running in \(cluster.directory) (socket \(cluster.socketDirectory), port \(cluster.port ?? 0))"
            )
            if standby, let replica = try await location.ensureStandbyRunning(logger: CommandEnvironment.logger) {
                print(
                    "standby is running in \(replica.directory) (socket \(replica.socketDirectory), port \(replica.port ?? 0)); analysts connect to postgresql://NAME@127.0.0.1:\(replica.port ?? 0)/\(DatabaseLocation.embeddedDatabase)"
                )
            }
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the cluster (and its standby, if any).")
        func run() async throws {
            let location = CommandEnvironment.location
            guard case .embedded(let cluster) = location.kind else {
                throw CommandError("PADU_DATABASE_URL is set: padu does not manage that server")
            }
            if let standby = location.embeddedStandby, standby.isInitialized {
                try standby.stop()
                print("standby stopped")
            }
            try cluster.stop()
            print("PostgreSQL stopped")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the cluster runs; exit 3 if not.")
        func run() async throws {
            guard case .embedded(let cluster) = CommandEnvironment.location.kind else {
                print("external: PADU_DATABASE_URL is set")
                return
            }
            if !cluster.isInitialized {
                print("not created (\(cluster.directory))")
                throw ExitCode(3)
            }
            if cluster.isRunning {
                print("running (\(cluster.directory), port \(cluster.port ?? 0))")
                if let standby = CommandEnvironment.location.embeddedStandby, standby.isInitialized {
                    print(
                        "standby \(standby.isRunning ? "running" : "stopped") (\(standby.directory), port \(standby.port ?? 0))"
                    )
                }
            } else {
                print("stopped (\(cluster.directory))")
                throw ExitCode(3)
            }
        }
    }

    struct URL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the connection URL that serve uses.")

        @Flag(help: "The URL serve reads the summary, regions and dashboard from (the standby).")
        var standby = false

        func run() async throws {
            let location = CommandEnvironment.location
            guard standby else {
                print(location.apiURL)
                return
            }
            if !location.readURLs.isEmpty {
                print(location.readURLs.joined(separator: ","))
            } else if let replica = location.embeddedStandby, replica.isInitialized {
                print(replica.url(user: "padu_api", database: DatabaseLocation.embeddedDatabase))
            } else {
                throw CommandError("no standby: run padu db start --standby, or set PADU_READ_DATABASE_URL")
            }
        }
    }
}
