import PQ
import PaduStore
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
        #expect(reads.allSatisfy { $0.overrides["options"] == "-c role=padu_api" })
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
}
