import ArgumentParser
import PQ
import PaduStore

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "The embedded PostgreSQL cluster under PADU_HOME.",
        subcommands: [Start.self, Stop.self, Status.self, URL.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (if needed) and start the cluster.")
        func run() async throws {
            let location = try await CommandEnvironment.runningLocation()
            guard case .embedded(let cluster) = location.kind else {
                print("PADU_DATABASE_URL is set: padu does not manage that server")
                return
            }
            print(
                "PostgreSQL is running in \(cluster.directory) (socket \(cluster.socketDirectory), port \(cluster.port ?? 0))"
            )
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the cluster.")
        func run() async throws {
            guard case .embedded(let cluster) = CommandEnvironment.location.kind else {
                throw CommandError("PADU_DATABASE_URL is set: padu does not manage that server")
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
            } else {
                print("stopped (\(cluster.directory))")
                throw ExitCode(3)
            }
        }
    }

    struct URL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the connection URL that serve uses.")
        func run() async throws {
            print(CommandEnvironment.location.apiURL)
        }
    }
}
