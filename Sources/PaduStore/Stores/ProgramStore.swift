import Foundation
import PQ

/// A programme of an agency.
public struct Program: Codable, Sendable, Equatable {
    public var id: Int64
    public var agencyID: Int64
    public var code: String
    public var name: String
    public var clusterID: Int
    public var aidKind: String
    public var target: String
    public var unit: String
    public var requiresCoordination: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// What an agency sends to create or change a programme (already validated).
public struct ProgramFields: Sendable {
    public var code: String?
    public var name: String?
    public var clusterID: Int?
    public var aidKind: String?
    public var target: String?
    public var unit: String?

    public init(
        code: String? = nil, name: String? = nil, clusterID: Int? = nil, aidKind: String? = nil,
        target: String? = nil, unit: String? = nil
    ) {
        self.code = code
        self.name = name
        self.clusterID = clusterID
        self.aidKind = aidKind
        self.target = target
        self.unit = unit
    }
}

/// Programmes: row-level security limits every statement to what the caller may see.
public enum ProgramStore {
    static let columns: PQFragment = """
        id, agency_id, code, name, cluster_id::int4 AS cluster_id, aid_kind, target, unit, requires_coordination,
        created_at, updated_at
        """

    public static func create(_ fields: ProgramFields, on connection: PQConnection) async throws -> Program {
        let rows = try await connection.query(
            """
            INSERT INTO padu.programs (code, name, cluster_id, aid_kind, target, unit)
            VALUES (\(fields.code!), \(fields.name!), \(Int16(fields.clusterID!)), \(fields.aidKind!), \(fields.target!),
                    \(fields.unit!))
            RETURNING \(columns)
            """)
        return try rows[0].decode(as: Program.self)
    }

    public static func find(_ id: Int64, on connection: PQConnection) async throws -> Program? {
        try await connection.query("SELECT \(columns) FROM padu.programs WHERE id = \(id)")
            .decode(as: Program.self).first
    }

    public static func list(after: Int64, limit: Int, on connection: PQConnection) async throws -> [Program] {
        try await connection.query(
            "SELECT \(columns) FROM padu.programs WHERE id > \(after) ORDER BY id LIMIT \(limit + 1)"
        ).decode(as: Program.self)
    }

    /// Changes the given fields; nil when the programme is not the caller's.
    public static func update(_ id: Int64, _ fields: ProgramFields, on connection: PQConnection) async throws
        -> Program?
    {
        try await connection.query(
            """
            UPDATE padu.programs SET code = coalesce(\(fields.code), code), name = coalesce(\(fields.name), name),
                   cluster_id = coalesce(\(fields.clusterID.map(Int16.init)), cluster_id),
                   aid_kind = coalesce(\(fields.aidKind), aid_kind), target = coalesce(\(fields.target), target),
                   unit = coalesce(\(fields.unit), unit)
             WHERE id = \(id)
            RETURNING \(columns)
            """
        ).decode(as: Program.self).first
    }

    /// Whether the caller's agency owns the programme (a coordinator also sees its cluster's).
    public static func owns(_ id: Int64, on connection: PQConnection) async throws -> Bool {
        try await connection.query(
            "SELECT 1 FROM padu.programs WHERE id = \(id) AND agency_id = padu.current_agency()"
        ).count == 1
    }

    /// Whether the caller may work with the programme's budgets, reports and deliveries: an
    /// agency or coordinator only with its own agency's, the admin with any it can see.
    public static func isWorkable(_ id: Int64, admin: Bool, on connection: PQConnection) async throws -> Bool {
        admin ? try await find(id, on: connection) != nil : try await owns(id, on: connection)
    }

    /// The admin's switch, audited in the same statement (only when a row changed).
    public static func setRequiresCoordination(_ id: Int64, _ value: Bool, on connection: PQConnection) async throws
        -> Program?
    {
        try await connection.query(
            """
            WITH changed AS (
                UPDATE padu.programs SET requires_coordination = \(value) WHERE id = \(id) RETURNING *)
            SELECT \(columns),
                   padu.audit('set_requires_coordination', 'program', id::text, jsonb_build_object('value', \(value)))
              FROM changed
            """
        ).decode(as: Program.self).first
    }
}
