import CLibPQ
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One PostgreSQL connection, driven through non-blocking libpq.
///
/// A connection is used by one task at a time (the pool guarantees it); it may move between
/// threads between calls, which libpq allows. Every statement is sent in pipeline mode as a
/// prepared statement, prepared the first time its SQL and parameter types are met on this
/// connection. Statements queued with `deferUntilNextQuery` travel in the same round trip as
/// the next statement.
public final class PQConnection: @unchecked Sendable {
    let handle: OpaquePointer
    private(set) var socket: Int32
    let logger: Logger

    private struct StatementKey: Hashable {
        let sql: String
        let types: [UInt32]
    }
    private var statements: [StatementKey: String] = [:]
    private var statementCounter = 0
    private static let statementCacheLimit = 512

    /// Statements to send ahead of the next one (`BEGIN`, request settings).
    private var deferred: [PQQuery] = []

    /// Pipelines sent whose results nobody waited for (a read-only transaction's COMMIT); read
    /// and dropped before the connection is used again.
    private(set) var unreadPipelines = 0

    /// Set once the connection failed; a broken connection is closed, never reused.
    public private(set) var isBroken = false
    private var isClosed = false

    private init(handle: OpaquePointer, logger: Logger) {
        self.handle = handle
        self.socket = PQsocket(handle)
        self.logger = logger
        // Server notices go to the logger at debug level (they may quote values), not stderr.
        PQsetNoticeReceiver(
            handle,
            { context, result in
                guard let context, let result else { return }
                let connection = Unmanaged<PQConnection>.fromOpaque(context).takeUnretainedValue()
                let message = PQresultErrorField(result, DiagnosticField.messagePrimary).map { String(cString: $0) }
                connection.logger.debug("server notice", metadata: ["notice": "\(message ?? "")"])
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        if !isClosed {
            SocketReactor.shared.forget(fd: socket)
            PQfinish(handle)
        }
    }

    // MARK: connecting

    /// Opens a connection without blocking a thread.
    public static func connect(
        _ configuration: PQConnectionConfiguration, logger: Logger
    ) async throws(PQError) -> PQConnection {
        var keywords = ["dbname"]
        var values = [configuration.connectionString]
        for (key, value) in configuration.overrides.sorted(by: { $0.key < $1.key }) {
            keywords.append(key)
            values.append(value)
        }
        let handle: OpaquePointer? = withCStrings(keywords) { keys in
            withCStrings(values) { vals in PQconnectStartParams(keys, vals, 1) }
        }
        guard let handle else {
            throw PQError(code: .connectionFailed, message: "out of memory starting a connection")
        }
        if PQstatus(handle) == CONNECTION_BAD {
            let error = PQError(code: .connectionFailed, message: errorMessage(handle))
            PQfinish(handle)
            throw error
        }
        let deadline = ContinuousClock.now + configuration.connectTimeout
        let watchdog = ConnectWatchdog()
        let timer = Task {
            try await Task.sleep(until: deadline)
            watchdog.fire()
        }
        defer { timer.cancel() }
        var status = PGRES_POLLING_WRITING
        while true {
            let fd = PQsocket(handle)
            watchdog.watch(fd)
            switch status {
            case PGRES_POLLING_OK:
                watchdog.watch(-1)
                guard PQsetnonblocking(handle, 1) == 0 else {
                    let error = PQError(code: .connectionFailed, message: errorMessage(handle))
                    PQfinish(handle)
                    throw error
                }
                return PQConnection(handle: handle, logger: logger)
            case PGRES_POLLING_READING:
                _ = await SocketReactor.shared.wait(fd: fd, for: .read)
            case PGRES_POLLING_WRITING:
                _ = await SocketReactor.shared.wait(fd: fd, for: .write)
            default:
                watchdog.watch(-1)
                SocketReactor.shared.forget(fd: fd)
                let error = PQError(code: .connectionFailed, message: errorMessage(handle))
                PQfinish(handle)
                throw error
            }
            if watchdog.hasFired {
                SocketReactor.shared.forget(fd: fd)
                PQfinish(handle)
                throw PQError(code: .connectionFailed, message: "timed out connecting to the server")
            }
            status = PQconnectPoll(handle)
        }
    }

    // MARK: statements

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ query: PQQuery) async throws(PQError) -> PQRows {
        try await pipeline([query])[0]
    }

    /// Runs statements in one round trip (libpq pipeline mode) and returns each one's rows.
    /// The first failure is thrown; statements after it in the same call did not run.
    @discardableResult
    public func pipeline(_ queries: [PQQuery]) async throws(PQError) -> [PQRows] {
        try checkUsable()
        if unreadPipelines > 0 { try await drainUnread() }
        let all = deferred + queries
        let skipped = deferred.count
        deferred.removeAll()
        return Array(try await runPipeline(all).dropFirst(skipped))
    }

    /// Queues a statement to travel with the next one; its failure fails that next statement.
    public func deferUntilNextQuery(_ query: PQQuery) {
        deferred.append(query)
    }

    /// Runs SQL text with the simple query protocol: several statements, no parameters
    /// (migration files). The text must come from the program, never from a client.
    public func execute(script sql: String) async throws(PQError) {
        try await flushDeferred()
        guard PQsendQuery(handle, sql) == 1 else { throw fail(errorMessage(handle)) }
        try await flush()
        var firstError: PQError?
        while let result = try await nextResult() {
            let status = PQresultStatus(result)
            if status == PGRES_FATAL_ERROR, firstError == nil { firstError = serverError(result) }
            PQclear(result)
        }
        if let firstError { throw firstError }
    }

    /// Sends one statement without waiting for its answer; the answer is read, and dropped,
    /// before the connection's next use (`drainUnread`). For statements whose outcome cannot
    /// change anything the caller relies on: ending a read-only transaction.
    func sendWithoutWaiting(_ query: PQQuery) async throws(PQError) {
        try checkUsable()
        guard let name = statements[StatementKey(sql: query.sql, types: query.bindings.types)] else {
            // Not prepared here yet: send it the ordinary way and wait.
            try await self.query(query)
            return
        }
        guard PQenterPipelineMode(handle) == 1 else { throw fail(errorMessage(handle)) }
        guard sendPrepared(name: name, bindings: query.bindings), PQpipelineSync(handle) == 1 else {
            throw fail(errorMessage(handle))
        }
        unreadPipelines += 1
        try await flush()
    }

    /// Reads and drops the answers of statements sent without waiting.
    func drainUnread() async throws(PQError) {
        while unreadPipelines > 0 {
            // One statement's result(s), its terminating NULL, then the sync.
            while let result = try await nextResult() {
                let status = PQresultStatus(result)
                if status == PGRES_FATAL_ERROR {
                    logger.warning("an unacknowledged statement failed", metadata: ["error": "\(serverError(result))"])
                }
                PQclear(result)
            }
            guard let sync = try await nextResult(), PQresultStatus(sync) == PGRES_PIPELINE_SYNC else {
                throw fail("expected the end of a pipeline")
            }
            PQclear(sync)
            unreadPipelines -= 1
        }
        if PQpipelineStatus(handle) != PQ_PIPELINE_OFF, PQexitPipelineMode(handle) != 1 {
            throw fail(errorMessage(handle))
        }
    }

    /// Sends deferred statements now, after reading any unacknowledged answers.
    func flushDeferred() async throws(PQError) {
        if !deferred.isEmpty || unreadPipelines > 0 { _ = try await pipeline([]) }
    }

    /// True when queued statements have not been sent yet.
    var hasDeferred: Bool { !deferred.isEmpty }

    /// Drops queued statements that were never sent.
    func discardDeferred() { deferred.removeAll() }

    // MARK: pipeline internals

    private enum Expectation {
        case prepare(StatementKey)
        case execute
        case discard
    }

    private func runPipeline(_ queries: [PQQuery]) async throws(PQError) -> [PQRows] {
        guard !queries.isEmpty else { return [] }
        guard PQenterPipelineMode(handle) == 1 else { throw fail(errorMessage(handle)) }
        var expectations: [Expectation] = []
        expectations.reserveCapacity(queries.count + 2)
        for query in queries {
            let key = StatementKey(sql: query.sql, types: query.bindings.types)
            let name: String
            if let known = statements[key] {
                name = known
            } else {
                if statements.count >= Self.statementCacheLimit {
                    // Forget every name, here and on the server, in this same pipeline.
                    statements.removeAll()
                    guard PQsendQueryParams(handle, "DEALLOCATE ALL", 0, nil, nil, nil, nil, 1) == 1 else {
                        throw fail(errorMessage(handle))
                    }
                    expectations.append(.discard)
                }
                statementCounter += 1
                name = "pq\(statementCounter)"
                let sent = query.bindings.types.withUnsafeBufferPointer { types in
                    PQsendPrepare(handle, name, query.sql, Int32(types.count), types.baseAddress)
                }
                guard sent == 1 else { throw fail(errorMessage(handle)) }
                statements[key] = name
                expectations.append(.prepare(key))
            }
            guard sendPrepared(name: name, bindings: query.bindings) else { throw fail(errorMessage(handle)) }
            expectations.append(.execute)
        }
        guard PQpipelineSync(handle) == 1 else { throw fail(errorMessage(handle)) }
        try await flush()

        var rows: [PQRows] = []
        rows.reserveCapacity(queries.count)
        var firstError: PQError?
        for expectation in expectations {
            guard let result = try await nextResult() else {
                throw fail("the server sent fewer results than statements")
            }
            let status = PQresultStatus(result)
            switch status {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                if case .execute = expectation {
                    rows.append(PQRows(result: PQResult(result)))
                } else {
                    PQclear(result)
                }
            case PGRES_FATAL_ERROR:
                if firstError == nil { firstError = serverError(result) }
                if case .prepare(let key) = expectation { statements[key] = nil }
                PQclear(result)
            case PGRES_PIPELINE_ABORTED:
                if case .prepare(let key) = expectation { statements[key] = nil }
                PQclear(result)
            default:
                PQclear(result)
                throw fail("unexpected result status \(status.rawValue) in a pipeline")
            }
            // Each statement's results end with a NULL.
            if let extra = try await nextResult() {
                PQclear(extra)
                throw fail("a statement returned more than one result")
            }
        }
        guard let sync = try await nextResult(), PQresultStatus(sync) == PGRES_PIPELINE_SYNC else {
            throw fail("pipeline did not end with a sync")
        }
        PQclear(sync)
        guard PQexitPipelineMode(handle) == 1 else { throw fail(errorMessage(handle)) }
        if let firstError { throw firstError }
        return rows
    }

    private func sendPrepared(name: String, bindings: PQBindings) -> Bool {
        let count = bindings.count
        return bindings.bytes.withUnsafeBufferPointer { bytes in
            bindings.lengths.withUnsafeBufferPointer { lengths in
                withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: max(count, 1)) { values in
                    withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(count, 1)) { formats in
                        var offset = 0
                        for index in 0..<count {
                            formats[index] = 1
                            let length = Int(lengths[index])
                            if length < 0 {
                                values[index] = nil
                            } else {
                                // A zero-length value needs a non-NULL pointer to mean '' rather than NULL.
                                let base =
                                    bytes.baseAddress.map { UnsafeRawPointer($0 + offset) }
                                    ?? UnsafeRawPointer(emptyValue)
                                values[index] = base.assumingMemoryBound(to: CChar.self)
                                offset += length
                            }
                        }
                        return PQsendQueryPrepared(
                            handle, name, Int32(count), values.baseAddress, lengths.baseAddress,
                            formats.baseAddress, 1) == 1
                    }
                }
            }
        }
    }

    // MARK: I/O

    /// Sends everything libpq has buffered, reading input meanwhile so the server never stalls.
    func flush() async throws(PQError) {
        while true {
            let result = PQflush(handle)
            if result == 0 { return }
            if result < 0 { throw fail(errorMessage(handle)) }
            let ready = await SocketReactor.shared.wait(fd: socket, for: [.read, .write])
            if ready.contains(SocketInterest.read), PQconsumeInput(handle) == 0 { throw fail(errorMessage(handle)) }
        }
    }

    /// The next result, waiting on the socket while libpq needs more input; nil ends a statement.
    func nextResult() async throws(PQError) -> OpaquePointer? {
        while PQisBusy(handle) != 0 {
            _ = await SocketReactor.shared.wait(fd: socket, for: .read)
            guard PQconsumeInput(handle) == 1 else { throw fail(errorMessage(handle)) }
        }
        return PQgetResult(handle)
    }

    /// Marks the connection broken and returns the error to throw.
    func fail(_ message: String) -> PQError {
        isBroken = true
        return PQError(code: .connectionClosed, message: message)
    }

    func serverError(_ result: OpaquePointer) -> PQError {
        func field(_ code: Int32) -> String? {
            PQresultErrorField(result, code).map { String(cString: $0) }
        }
        let sqlState = field(DiagnosticField.sqlState)
        if sqlState == nil || PQstatus(handle) == CONNECTION_BAD { isBroken = true }
        return PQError(
            code: sqlState == nil ? .connectionClosed : .server,
            sqlState: sqlState,
            severity: field(DiagnosticField.severityNonLocalized) ?? field(DiagnosticField.severity),
            message: field(DiagnosticField.messagePrimary) ?? errorMessage(handle),
            detail: field(DiagnosticField.messageDetail),
            hint: field(DiagnosticField.messageHint),
            schema: field(DiagnosticField.schemaName),
            table: field(DiagnosticField.tableName),
            column: field(DiagnosticField.columnName),
            constraint: field(DiagnosticField.constraintName))
    }

    // MARK: state

    func checkUsable() throws(PQError) {
        if isBroken || isClosed || PQstatus(handle) != CONNECTION_OK {
            isBroken = true
            throw PQError(code: .connectionClosed, message: "the connection is closed")
        }
    }

    /// For an idle connection: the server sends nothing unprompted to a connection that does
    /// not LISTEN, so anything readable means it is closing the connection (shutdown, restart,
    /// `pg_terminate_backend`). Such a connection is broken.
    func probeIdle() -> Bool {
        guard !isBroken, !isClosed else { return false }
        guard unreadPipelines == 0 else { return PQstatus(handle) == CONNECTION_OK }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, 0) != 0 || PQstatus(handle) != CONNECTION_OK { isBroken = true }
        return !isBroken
    }

    /// True outside a transaction block (or about to be, once an unread COMMIT is read).
    var isIdleInTransactionTerms: Bool {
        unreadPipelines > 0
            ? PQtransactionStatus(handle) == PQTRANS_ACTIVE : PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// A password verifier (`SCRAM-SHA-256$...`) computed here, so a `CREATE ROLE ... PASSWORD`
    /// never carries the password itself to the server or its logs.
    public func encryptPassword(_ password: String, user: String) throws(PQError) -> String {
        guard let encrypted = PQencryptPasswordConn(handle, password, user, "scram-sha-256") else {
            throw PQError(code: .protocolViolation, message: errorMessage(handle))
        }
        defer { PQfreemem(encrypted) }
        return String(cString: encrypted)
    }

    /// The server's version as an integer (150004 for 15.4).
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Closes the connection.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        SocketReactor.shared.forget(fd: socket)
        PQfinish(handle)
    }
}

/// libpq's error field codes (`PG_DIAG_*` in postgres_ext.h are character macros Swift cannot import).
enum DiagnosticField {
    static let severity = Int32(UInt8(ascii: "S"))
    static let severityNonLocalized = Int32(UInt8(ascii: "V"))
    static let sqlState = Int32(UInt8(ascii: "C"))
    static let messagePrimary = Int32(UInt8(ascii: "M"))
    static let messageDetail = Int32(UInt8(ascii: "D"))
    static let messageHint = Int32(UInt8(ascii: "H"))
    static let schemaName = Int32(UInt8(ascii: "s"))
    static let tableName = Int32(UInt8(ascii: "t"))
    static let columnName = Int32(UInt8(ascii: "c"))
    static let constraintName = Int32(UInt8(ascii: "n"))
}

nonisolated(unsafe) private let emptyValue = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

func errorMessage(_ handle: OpaquePointer) -> String {
    guard let message = PQerrorMessage(handle) else { return "unknown libpq error" }
    let text = String(cString: message).trimmingTrailingNewlines()
    return text.isEmpty ? "unknown libpq error" : text
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}

/// Lets a timer interrupt a connection attempt that waits on a socket.
final class ConnectWatchdog: Sendable {
    private struct State {
        var fd: Int32 = -1
        var fired = false
    }
    private let state = Mutex(State())
    func watch(_ fd: Int32) { state.withLock { $0.fd = fd } }
    func fire() {
        let fd = state.withLock { state -> Int32 in
            state.fired = true
            return state.fd
        }
        if fd >= 0 { SocketReactor.shared.forget(fd: fd) }
    }
    var hasFired: Bool { state.withLock { $0.fired } }
}

func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
    }
}
