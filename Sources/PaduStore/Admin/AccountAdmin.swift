import Foundation
import PQ
import PaduCore

/// Account and analyst administration from the command line (runs as the migrating user).
public enum AccountAdmin {
    /// Creates an API account; `passwordHash` is the already-computed slow hash.
    @discardableResult
    public static func createAccount(
        on connection: PQConnection, username: String, passwordHash: String, role: String,
        agencyCode: String?, scope: String
    ) async throws -> Int64 {
        guard Role(rawValue: role) != nil else {
            throw StoreError.invalidArgument(
                "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let region = try RegionCode(scope)
        return try await connection.withTransaction { connection in
            connection.deferUntilNextQuery("SET LOCAL ROLE padu_owner")
            var agencyID: Int64?
            if let agencyCode {
                agencyID = try await connection.query("SELECT id FROM padu.agencies WHERE code = \(agencyCode)")
                    .first(Int64.self)
                guard agencyID != nil else { throw StoreError.invalidArgument("no agency has code \(agencyCode)") }
            } else if role == "agency" || role == "coordinator" {
                throw StoreError.invalidArgument("an \(role) account needs --agency")
            }
            guard try await connection.query("SELECT 1 FROM padu.regions WHERE code = \(region.value)").count > 0 else {
                throw StoreError.invalidArgument("no region has code \(region.value)")
            }
            let id = try await connection.query(
                """
                INSERT INTO padu.accounts (username, password_hash, role, agency_id, scope)
                VALUES (lower(\(username)), \(passwordHash), \(role), \(agencyID), \(region.value))
                ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,
                    agency_id = EXCLUDED.agency_id, scope = EXCLUDED.scope, active = true
                RETURNING id
                """
            ).first(Int64.self)
            return id!
        }
    }

    /// Creates (or updates the password of) an analyst's PostgreSQL login: a member of
    /// padu_analyst, read-only by default, with a statement timeout, seeing schema analytics.
    public static func createAnalyst(on connection: PQConnection, name: String, password: String) async throws {
        guard name.range(of: #"^[a-z][a-z0-9_]{2,40}$"#, options: .regularExpression) != nil,
            !name.hasPrefix("padu_"), !name.hasPrefix("pg_")
        else {
            throw StoreError.invalidArgument(
                "an analyst name is 3-41 lowercase letters, digits or _, starting with a letter, not padu_ or pg_")
        }
        guard password.count >= 12 else {
            throw StoreError.invalidArgument("an analyst password needs at least 12 characters")
        }
        let verifier = try connection.encryptPassword(password, user: name)
        let role = PQQuery.quoteIdentifier(name)
        let exists = try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(name)").count > 0
        try await connection.execute(
            script: """
                \(exists ? "ALTER" : "CREATE") ROLE \(role) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS CONNECTION LIMIT 3
                    PASSWORD \(PQQuery.quoteLiteral(verifier));
                GRANT padu_analyst TO \(role);
                ALTER ROLE \(role) SET default_transaction_read_only = on;
                ALTER ROLE \(role) SET statement_timeout = '120s';
                ALTER ROLE \(role) SET idle_in_transaction_session_timeout = '10min';
                ALTER ROLE \(role) SET search_path = analytics;
                """)
    }
}
