import Crypto
import Foundation
import Logging
import PQ

/// Applies `sql/` migrations in order, once each, and loads the region list.
///
/// Each file runs in its own transaction and is recorded in `schema_migrations` with the
/// SHA-256 of its text. Running again changes nothing; a recorded file whose text changed is
/// refused before anything runs. Needs a superuser (or a role that may create roles). Concurrent
/// migrators take turns on a row lock (`public.schema_migrations_lock`).
public struct Migrator: Sendable {
    let client: PQClient
    let logger: Logger

    let files: [(name: String, sql: String)]?

    /// A migrator for `sql/`, or for `files` instead (tests).
    public init(client: PQClient, logger: Logger, files: [(name: String, sql: String)]? = nil) {
        self.client = client
        self.logger = logger
        self.files = files
    }

    /// What `migrate` did.
    public struct Report: Sendable {
        public var applied: [String]
        public var regionsLoaded: Int?
    }

    @discardableResult
    public func migrate() async throws -> Report {
        let files = try self.files ?? PaduResources.migrations()
        let regionParts = try PaduResources.regionFiles()
        return try await client.withConnection { connection in
            // One migrator at a time per database: each migration's transaction first locks the
            // row 'migrate' of public.schema_migrations_lock and skips a file another migrator
            // recorded meanwhile. A row lock, not an advisory lock: advisory locks need no
            // privilege, so any login (an analyst's) could hold the key and stall start-up.
            try await bootstrap(connection)
            return try await migrateLocked(connection, files: files, regionParts: regionParts)
        }
    }

    /// The bookkeeping tables. Two migrators on an empty database race to create them; the
    /// loser's CREATE fails on the catalog's unique index once the winner commits, and retries.
    private func bootstrap(_ connection: PQConnection) async throws {
        var attempt = 0
        while true {
            do {
                try await connection.execute(
                    script: """
                        CREATE TABLE IF NOT EXISTS public.schema_migrations (
                            name text PRIMARY KEY,
                            checksum text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now());
                        REVOKE ALL ON public.schema_migrations FROM PUBLIC;
                        CREATE TABLE IF NOT EXISTS public.schema_migrations_lock (name text PRIMARY KEY);
                        REVOKE ALL ON public.schema_migrations_lock FROM PUBLIC;
                        INSERT INTO public.schema_migrations_lock VALUES ('migrate') ON CONFLICT DO NOTHING;
                        """)
                return
            } catch {
                let state = error.sqlState
                attempt += 1
                guard attempt <= 3, state == PQError.SQLState.uniqueViolation || state == "42P07" else { throw error }
            }
        }
    }

    /// Locks the migrator's row for the current transaction.
    private func lock(_ connection: PQConnection) async throws {
        try await connection.query("SELECT 1 FROM public.schema_migrations_lock WHERE name = 'migrate' FOR UPDATE")
    }

    /// Hex SHA-256 of the texts one after another, as `sha256(convert_to(text, 'UTF8'))` gives
    /// for their concatenation.
    static func checksum(_ parts: [String]) -> String {
        var hasher = SHA256()
        for part in parts { hasher.update(data: Data(part.utf8)) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private func migrateLocked(
        _ connection: PQConnection, files: [(name: String, sql: String)], regionParts: [String]
    ) async throws -> Report {
        // Checksums are hex SHA-256 of the UTF-8 text, computed here rather than by sending every
        // file and the 2 MB region list to the server on each start.
        let checksums = files.map { Self.checksum([$0.sql]) } + [Self.checksum(regionParts)]
        let names = files.map(\.name) + ["data/wilayah"]
        let recorded = Dictionary(
            try await connection.query("SELECT name, checksum FROM public.schema_migrations")
                .decode((String, String).self), uniquingKeysWith: { first, _ in first })
        var pending: [(name: String, sql: String, checksum: String)] = []
        var regionsChecksum: String?
        let sqlByName = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.sql) })
        for (name, checksum) in zip(names, checksums) {
            let recorded = recorded[name]
            if name == "data/wilayah" {
                // The region list reloads when it changed; a migration must never change.
                if recorded != checksum { regionsChecksum = checksum }
            } else if let recorded {
                if recorded != checksum { throw StoreError.migrationModified(name) }
            } else {
                pending.append((name, sqlByName[name]!, checksum))
            }
        }
        pending.sort { $0.name < $1.name }
        var applied: [String] = []
        for migration in pending {
            logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
            let ran = try await connection.withTransaction { connection in
                try await lock(connection)
                let done = try await connection.query(
                    "SELECT checksum FROM public.schema_migrations WHERE name = \(migration.name)"
                ).first(String.self)
                if let done {
                    if done != migration.checksum { throw StoreError.migrationModified(migration.name) }
                    return false
                }
                try await connection.execute(script: migration.sql)
                try await connection.execute(script: "RESET ROLE")
                try await connection.query(
                    "INSERT INTO public.schema_migrations (name, checksum) VALUES (\(migration.name), \(migration.checksum))"
                )
                return true
            }
            if ran { applied.append(migration.name) }
        }
        var loaded: Int?
        if let regionsChecksum {
            loaded = try await loadRegions(connection, parts: regionParts, checksum: regionsChecksum)
        }
        return Report(applied: applied, regionsLoaded: loaded)
    }

    /// Upserts the national region list (names may be corrected between decrees).
    private func loadRegions(_ connection: PQConnection, parts: [String], checksum: String) async throws -> Int {
        logger.info("loading the region list")
        return try await connection.withTransaction { connection in
            try await lock(connection)
            try await connection.execute(
                script: """
                    SET LOCAL ROLE padu_owner;
                    CREATE TEMP TABLE region_load (code text, name text) ON COMMIT DROP;
                    """)
            var total = 0
            for part in parts {
                total += try await connection.copyFrom("COPY region_load FROM STDIN (FORMAT csv, HEADER true)") {
                    writer in
                    try await writer.writeRaw(part)
                }
            }
            try await connection.execute(
                script: """
                    INSERT INTO padu.regions (code, name)
                    SELECT code, name FROM region_load ORDER BY length(code), code
                    ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name WHERE regions.name <> EXCLUDED.name;
                    RESET ROLE;
                    """)
            try await connection.query(
                """
                INSERT INTO public.schema_migrations (name, checksum) VALUES ('data/wilayah', \(checksum))
                ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()
                """)
            return total
        }
    }
}
