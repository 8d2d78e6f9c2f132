import CLibPQ
import Logging

/// Transaction isolation levels.
public enum PQIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PQConnection {
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// `BEGIN` is not sent on its own: it travels with the transaction's first statement, and a
    /// transaction that ran no statement costs no round trip at all. A COMMIT that finds the
    /// transaction failed (a statement's error was caught and ignored) throws
    /// `transactionAborted`: nothing was committed.
    @discardableResult
    public func withTransaction<Result>(
        isolation: PQIsolation = .readCommitted,
        readOnly: Bool = false,
        _ body: (PQConnection) async throws -> Result
    ) async throws -> Result {
        try checkUsable()
        var begin = "BEGIN ISOLATION LEVEL \(isolation.rawValue)"
        if readOnly { begin += " READ ONLY" }
        deferUntilNextQuery(PQQuery(verbatim: begin))
        let result: Result
        do {
            result = try await body(self)
        } catch {
            await rollback()
            throw error
        }
        if hasDeferred && isIdleInTransactionTerms {
            // Nothing was sent: there is no transaction on the server to end.
            discardDeferred()
            return result
        }
        if readOnly && PQtransactionStatus(handle) == PQTRANS_INTRANS {
            // A read-only transaction that did not fail has nothing to lose: send COMMIT and
            // return; its answer is read before the connection's next use. Saves a round trip.
            try await sendWithoutWaiting("COMMIT")
            return result
        }
        let commit = try await query("COMMIT")
        if commit.result?.commandTag == "ROLLBACK" {
            throw PQError(
                code: .transactionAborted,
                message: "the transaction had failed and was rolled back; nothing was committed")
        }
        return result
    }

    private func rollback() async {
        if hasDeferred && isIdleInTransactionTerms {
            discardDeferred()
            return
        }
        guard !isBroken else { return }
        discardDeferred()
        do { try await query("ROLLBACK") } catch {
            logger.debug("rollback failed; the connection will be closed", metadata: ["error": "\(error)"])
        }
    }
}
