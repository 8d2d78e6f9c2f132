import CLibPQ

/// Streams rows to a `COPY ... FROM STDIN` in PostgreSQL's text format.
///
/// Rows are encoded into a buffer of about 64 KiB that is handed to libpq as it fills, so a
/// load of any size holds one chunk in memory, not the whole payload.
public struct PQCopyWriter: ~Copyable {
    let connection: PQConnection
    private var buffer: [UInt8] = []
    private let chunkSize = 64 * 1024
    public private(set) var rowsWritten = 0

    init(connection: PQConnection) {
        self.connection = connection
        buffer.reserveCapacity(chunkSize + 4096)
    }

    /// Appends one row; nil fields are NULL.
    public mutating func writeRow(_ fields: [String?]) async throws(PQError) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let field else {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "N"))
                continue
            }
            for byte in field.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [92, 92])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [92, UInt8(ascii: "t")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [92, UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [92, UInt8(ascii: "r")])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
        rowsWritten += 1
        if buffer.count >= chunkSize { try await sendBuffer() }
    }

    /// Appends text already in the COPY's format (a CSV file's contents, say).
    public mutating func writeRaw(_ text: String) async throws(PQError) {
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + chunkSize, bytes.count)
            buffer.append(contentsOf: bytes[start..<end])
            try await sendBuffer()
            start = end
        }
    }

    /// Hands the buffered bytes to libpq, waiting for the socket when libpq's queue is full.
    mutating func sendBuffer() async throws(PQError) {
        guard !buffer.isEmpty else { return }
        while true {
            let accepted = buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) {
                    PQputCopyData(connection.handle, $0.baseAddress, Int32($0.count))
                }
            }
            if accepted == 1 { break }
            if accepted < 0 { throw connection.fail(errorMessage(connection.handle)) }
            try await connection.flush()
        }
        buffer.removeAll(keepingCapacity: true)
        try await connection.flush()
    }
}

extension PQConnection {
    /// Runs `COPY ... FROM STDIN` (text format) and lets `body` stream the rows; returns the
    /// number of rows the server stored. If `body` throws, the COPY is aborted and nothing of
    /// it is stored.
    @discardableResult
    public func copyFrom(
        _ statement: PQQuery,
        _ body: (inout PQCopyWriter) async throws -> Void
    ) async throws -> Int {
        precondition(statement.bindings.count == 0, "COPY takes no parameters")
        try await flushDeferred()
        guard PQsendQueryParams(handle, statement.sql, 0, nil, nil, nil, nil, 0) == 1 else {
            throw fail(errorMessage(handle))
        }
        try await flush()
        guard let start = try await nextResult() else { throw fail("COPY returned no result") }
        let startStatus = PQresultStatus(start)
        guard startStatus == PGRES_COPY_IN else {
            let error =
                startStatus == PGRES_FATAL_ERROR
                ? serverError(start)
                : PQError(code: .copyFailed, message: "statement did not start COPY FROM STDIN")
            PQclear(start)
            try await drainResults()
            throw error
        }
        PQclear(start)

        var writer = PQCopyWriter(connection: self)
        var bodyError: (any Error)?
        do {
            try await body(&writer)
            try await writer.sendBuffer()
        } catch {
            bodyError = error
        }
        let end = bodyError == nil ? PQputCopyEnd(handle, nil) : PQputCopyEnd(handle, "aborted by the client")
        if end < 0 { throw fail(errorMessage(handle)) }
        while true {
            // 0 means libpq could not queue the end marker yet.
            if end == 1 { break }
            try await flush()
            if PQputCopyEnd(handle, bodyError == nil ? nil : "aborted by the client") == 1 { break }
        }
        try await flush()
        var stored = 0
        var serverFailure: PQError?
        while let result = try await nextResult() {
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK: stored = PQResult(result).affectedRows
            case PGRES_FATAL_ERROR:
                serverFailure = serverFailure ?? serverError(result)
                PQclear(result)
            default: PQclear(result)
            }
        }
        if let bodyError { throw bodyError }
        if let serverFailure { throw serverFailure }
        return stored
    }

    private func drainResults() async throws(PQError) {
        while let result = try await nextResult() { PQclear(result) }
    }
}
