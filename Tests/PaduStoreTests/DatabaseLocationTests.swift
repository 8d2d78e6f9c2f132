import PQ
import PaduStore
import PaduTestSupport
import Testing

@Suite("Where the database and its standbys are")
struct DatabaseLocationTests {
    @Test("PADU_READ_DATABASE_URL holds several URLs, each of which may name several hosts")
    func readURLs() {
        let location = DatabaseLocation.fromEnvironment([
            "PADU_DATABASE_URL": "postgresql://api@10.0.0.1:5432,10.0.0.2:5432/padu?target_session_attrs=read-write",
            "PADU_READ_DATABASE_URL":
                "postgresql://api@10.0.0.2:5432,10.0.0.3:5432/padu?target_session_attrs=standby, postgres://api@10.0.0.4/padu",
        ])
        #expect(
            location.readURLs == [
                "postgresql://api@10.0.0.2:5432,10.0.0.3:5432/padu?target_session_attrs=standby",
                "postgres://api@10.0.0.4/padu",
            ])
        let reads = location.readConnections
        #expect(reads.count == 2)
        #expect(reads.allSatisfy { $0.overrides["options"] == "-c role=padu_api -c jit=off" })
        #expect(DatabaseLocation.fromEnvironment(["PADU_DATABASE_URL": "postgresql://x@h/padu"]).readURLs.isEmpty)
    }

    @Test("the embedded standby lives in PADU_HOME/standby and is used only once created")
    func embeddedStandby() {
        let location = DatabaseLocation.fromEnvironment([
            "PADU_HOME": "/tmp/padu-nowhere-\(UInt32.random(in: 0...UInt32.max))"
        ])
        #expect(location.embeddedStandby?.directory.hasSuffix("/standby") == true)
        #expect(location.readConnections.isEmpty)
    }

    @Test("the API's sessions act as padu_api without JIT, whatever login the URL names")
    func apiSession() async throws {
        let database = try await TestDatabases.fresh("api_session")
        let client = PQClient(
            configuration: PQClientConfiguration(connection: database.location.apiConnection, maximumConnections: 1),
            logger: TestDatabases.logger)
        defer { client.close() }
        let settings = try await client.query("SELECT current_user::text, current_setting('jit')")
            .decode((String, String).self)
        #expect(settings.count == 1)
        #expect(settings.first?.0 == "padu_api")
        #expect(settings.first?.1 == "off")
    }
}
