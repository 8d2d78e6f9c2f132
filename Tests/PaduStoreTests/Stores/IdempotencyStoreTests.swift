import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

@Suite("IdempotencyStore")
struct IdempotencyStoreTests {
    struct Abandoned: Error {}

    @Test("a key is claimed once; the same request replays the stored answer, another is a mismatch")
    func claimReplayMismatch() async throws {
        let f = try await Fixture.shared("store_idempotency")
        let fingerprint: [UInt8] = Array("POST /plans {}".utf8)
        let first = try await f.tx("baznas") { tx in
            let claim = try await tx.idempotency.claim(key: "plan-1", fingerprint: fingerprint)
            try await tx.idempotency.complete(key: "plan-1", status: 201, body: Array("{\"id\":1}".utf8))
            return claim
        }
        #expect(first == .claimed)
        let (replay, mismatch) = try await f.tx("baznas") { tx in
            (
                try await tx.idempotency.claim(key: "plan-1", fingerprint: fingerprint),
                try await tx.idempotency.claim(key: "plan-1", fingerprint: Array("POST /plans {\"x\":1}".utf8))
            )
        }
        #expect(replay == .replay(status: 201, body: Array("{\"id\":1}".utf8)))
        #expect(mismatch == .mismatch)
    }

    @Test("keys belong to an account: another account's same key is its own claim")
    func perAccount() async throws {
        let f = try await Fixture.shared("store_idempotency")
        let fingerprint: [UInt8] = [1, 2, 3]
        let (mine, theirs) = try await (
            f.tx("dinsos") { tx in try await tx.idempotency.claim(key: "shared", fingerprint: fingerprint) },
            f.tx("dinkes") { tx in try await tx.idempotency.claim(key: "shared", fingerprint: [9]) }
        )
        #expect(mine == .claimed)
        #expect(theirs == .claimed)
    }

    @Test("a claim committed without an answer is in progress; a failed attempt leaves no claim")
    func inProgressAndRolledBack() async throws {
        let f = try await Fixture.shared("store_idempotency")
        _ = try await f.tx("admin") { tx in try await tx.idempotency.claim(key: "slow", fingerprint: [7]) }
        let pending = try await f.tx("admin") { tx in try await tx.idempotency.claim(key: "slow", fingerprint: [7]) }
        #expect(pending == .inProgress)

        await #expect(throws: Abandoned.self) {
            try await f.tx("bupati") { tx in
                _ = try await tx.idempotency.claim(key: "failed", fingerprint: [8])
                throw Abandoned()
            }
        }
        let retried = try await f.tx("bupati") { tx in try await tx.idempotency.claim(key: "failed", fingerprint: [8]) }
        #expect(retried == .claimed)
    }

    @Test("a key is 1 to 200 characters")
    func keyLength() async throws {
        let f = try await Fixture.shared("store_idempotency")
        let long = await databaseError {
            _ = try await f.tx("baznas") { tx in
                try await tx.idempotency.claim(key: String(repeating: "k", count: 201), fingerprint: [1])
            }
        }
        if case .notAllowed = long {} else { Issue.record("a 201-character key: \(String(describing: long))") }
    }
}
