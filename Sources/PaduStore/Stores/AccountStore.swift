import Foundation
import PQ

/// An API account as the admin manages it (never with its password hash).
public struct Account: Codable, Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var role: String
    public var agencyID: Int64?
    public var scope: String
    public var active: Bool
    public var createdAt: Date
}

/// Accounts, for the admin role (row-level security: accounts within the admin's scope).
public enum AccountStore {
    static let columns: PQFragment = "id, username, role, agency_id, scope::text AS scope, active, created_at"

    public static func create(
        username: String, passwordHash: String, role: String, agencyID: Int64?, scope: String,
        on connection: PQConnection
    ) async throws -> Account {
        try await connection.query(
            """
            INSERT INTO padu.accounts (username, password_hash, role, agency_id, scope)
            VALUES (\(username), \(passwordHash), \(role), \(agencyID), \(scope))
            RETURNING \(columns)
            """
        )[0].decode(as: Account.self)
    }

    /// Changes the given fields; nil if no such account is visible. Each field is its own
    /// statement so that none reads `password_hash`, which the admin may write but not read.
    public static func update(
        _ id: Int64, active: Bool?, passwordHash: String?, role: String?, scope: String?, on connection: PQConnection
    ) async throws -> Account? {
        guard try await find(id, on: connection) != nil else { return nil }
        var statements: [PQQuery] = []
        if let active { statements.append("UPDATE padu.accounts SET active = \(active) WHERE id = \(id)") }
        if let passwordHash {
            statements.append("UPDATE padu.accounts SET password_hash = \(passwordHash) WHERE id = \(id)")
        }
        if let role { statements.append("UPDATE padu.accounts SET role = \(role) WHERE id = \(id)") }
        if let scope { statements.append("UPDATE padu.accounts SET scope = \(scope) WHERE id = \(id)") }
        if !statements.isEmpty { try await connection.pipeline(statements) }
        return try await find(id, on: connection)
    }

    public static func list(after: Int64, limit: Int, on connection: PQConnection) async throws -> [Account] {
        try await connection.query(
            "SELECT \(columns) FROM padu.accounts WHERE id > \(after) ORDER BY id LIMIT \(limit + 1)"
        ).decode(as: Account.self)
    }

    public static func find(_ id: Int64, on connection: PQConnection) async throws -> Account? {
        try await connection.query("SELECT \(columns) FROM padu.accounts WHERE id = \(id)").decode(as: Account.self)
            .first
    }
}

/// Regions, agencies and clusters: reference data every role reads.
public enum ReferenceStore {
    public struct Region: Codable, Sendable, Equatable {
        public var code: String
        public var name: String
        public var level: Int
        public var parentCode: String?
    }

    public struct Agency: Codable, Sendable, Equatable {
        public var id: Int64
        public var code: String
        public var name: String
        public var shortName: String?
        public var kind: String
        public var regionCode: String
    }

    public struct ClusterMember: Codable, Sendable, Equatable {
        public var agencyID: Int64
        public var code: String
        public var name: String
        public var role: String
    }

    public struct Cluster: Codable, Sendable, Equatable {
        public var id: Int
        public var name: String
        public var coordinatorAgencyID: Int64?
        public var members: [ClusterMember]
    }

    static let regionColumns: PQFragment =
        "code::text AS code, name, level::int4 AS level, parent_code::text AS parent_code"
    static let agencyColumns: PQFragment = "id, code, name, short_name, kind, region_code::text AS region_code"

    public static func region(_ code: String, on connection: PQConnection) async throws -> Region? {
        try await connection.query("SELECT \(regionColumns) FROM padu.regions WHERE code = \(code)")
            .decode(as: Region.self).first
    }

    /// Children of `parent`, or the provinces when nil.
    public static func regions(parent: String?, on connection: PQConnection) async throws -> [Region] {
        try await connection.query(
            """
            SELECT \(regionColumns) FROM padu.regions
             WHERE (\(parent) IS NULL AND parent_code IS NULL) OR parent_code = \(parent) ORDER BY code
            """
        ).decode(as: Region.self)
    }

    public static func agencies(on connection: PQConnection) async throws -> [Agency] {
        try await connection.query("SELECT \(agencyColumns) FROM padu.agencies ORDER BY code").decode(as: Agency.self)
    }

    public static func agency(_ id: Int64, on connection: PQConnection) async throws -> Agency? {
        try await connection.query("SELECT \(agencyColumns) FROM padu.agencies WHERE id = \(id)")
            .decode(as: Agency.self).first
    }

    public static func createAgency(
        code: String, name: String, kind: String, regionCode: String, on connection: PQConnection
    ) async throws -> Agency {
        try await connection.query(
            """
            INSERT INTO padu.agencies (code, name, kind, region_code) VALUES (\(code), \(name), \(kind), \(regionCode))
            RETURNING \(agencyColumns)
            """
        )[0].decode(as: Agency.self)
    }

    public static func clusters(on connection: PQConnection) async throws -> [Cluster] {
        let rows = try await connection.query(
            """
            SELECT c.id::int4, c.name, c.coordinator_agency_id, m.agency_id, a.code, a.name, m.role
              FROM padu.clusters c
              LEFT JOIN padu.cluster_members m ON m.cluster_id = c.id
              LEFT JOIN padu.agencies a ON a.id = m.agency_id
             ORDER BY c.id, CASE m.role WHEN 'chair' THEN 0 WHEN 'vice_chair' THEN 1 ELSE 2 END, a.code
            """
        ).decode((Int, String, Int64?, Int64?, String?, String?, String?).self)
        var clusters: [Cluster] = []
        for (id, name, coordinator, agencyID, code, agencyName, role) in rows {
            if clusters.last?.id != id {
                clusters.append(Cluster(id: id, name: name, coordinatorAgencyID: coordinator, members: []))
            }
            if let agencyID, let code, let agencyName, let role {
                clusters[clusters.count - 1].members.append(
                    ClusterMember(agencyID: agencyID, code: code, name: agencyName, role: role))
            }
        }
        return clusters
    }
}
