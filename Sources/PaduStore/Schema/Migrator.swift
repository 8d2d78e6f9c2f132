import Crypto
import Foundation
import Logging
import PQ

/// Applies `sql/` migrations in order, once each, and loads the region list.
///
/// Each file runs in its own transaction and is recorded in `schema_migrations` with the
/// SHA-256 of its text. Running again changes nothing; a recorded file whose text changed is
/// refused before anything runs. Needs a superuser (or a role that may create roles).
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
            // One migrator at a time per database, from the start: two servers starting on an
            // empty database would otherwise race to create the bookkeeping table.
            try await connection.query("SELECT pg_advisory_lock(hashtext('padu.migrate'))")
            do {
                try await connection.execute(
                    script: """
                        CREATE TABLE IF NOT EXISTS public.schema_migrations (
                            name text PRIMARY KEY,
                            checksum text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now());
                        REVOKE ALL ON public.schema_migrations FROM PUBLIC;
                        """)
                let report = try await migrateLocked(connection, files: files, regionParts: regionParts)
                try await connection.query("SELECT pg_advisory_unlock_all()")
                return report
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock_all()")
                throw error
            }
        }
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
            try await connection.withTransaction { connection in
                try await connection.execute(script: migration.sql)
                try await connection.execute(script: "RESET ROLE")
                try await connection.query(
                    "INSERT INTO public.schema_migrations (name, checksum) VALUES (\(migration.name), \(migration.checksum))"
                )
            }
            applied.append(migration.name)
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
