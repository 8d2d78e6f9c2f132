import Foundation
import PQ
import PaduCore

/// A programme of an agency.
public struct Program: Codable, Sendable, Equatable {
    public var id: Int64
    public var agencyID: Int64
    public var code: String
    public var name: String
    public var clusterID: Int
    public var aidKind: AidKind
    public var aidCategory: AidCategory
    public var target: ProgrammeTarget
    public var unit: String
    public var requiresCoordination: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// A new programme, validated.
public struct NewProgram: Sendable {
    public var code: String
    public var name: String
    public var clusterID: Int
    public var aidKind: AidKind
    public var aidCategory: AidCategory
    public var target: ProgrammeTarget
    public var unit: String

    public init(
        code: String, name: String, clusterID: Int, aidKind: AidKind, aidCategory: AidCategory,
        target: ProgrammeTarget, unit: String
    ) {
        self.code = code
        self.name = name
        self.clusterID = clusterID
        self.aidKind = aidKind
        self.aidCategory = aidCategory
        self.target = target
        self.unit = unit
    }
}

/// Changes to a programme, validated; nil fields stay as they are.
public struct ProgramChanges: Sendable {
    public var code: String?
    public var name: String?
    public var clusterID: Int?
    public var aidKind: AidKind?
    public var aidCategory: AidCategory?
    public var target: ProgrammeTarget?
    public var unit: String?

    public init(
        code: String? = nil, name: String? = nil, clusterID: Int? = nil, aidKind: AidKind? = nil,
        aidCategory: AidCategory? = nil, target: ProgrammeTarget? = nil, unit: String? = nil
    ) {
        self.code = code
        self.name = name
        self.clusterID = clusterID
        self.aidKind = aidKind
        self.aidCategory = aidCategory
        self.target = target
        self.unit = unit
    }

    /// Whether nothing would change.
    public var isEmpty: Bool {
        code == nil && name == nil && clusterID == nil && aidKind == nil && aidCategory == nil && target == nil
            && unit == nil
    }
}

/// Programmes: row-level security limits every statement to what the caller may see.
public struct ProgramStore: Sendable {
    let connection: PQConnection

    static let columns: PQFragment = """
        id, agency_id, code, name, cluster_id::int4 AS cluster_id, aid_kind, aid_category, target, unit, requires_coordination,
        created_at, updated_at
        """

    public func create(_ program: NewProgram) async throws -> Program {
        let rows = try await connection.query(
            """
            INSERT INTO padu.programs (code, name, cluster_id, aid_kind, aid_category, target, unit)
            VALUES (\(program.code), \(program.name), \(Int16(clamping: program.clusterID)), \(program.aidKind.rawValue),
                    \(program.aidCategory.rawValue), \(program.target.rawValue), \(program.unit))
            RETURNING \(Self.columns)
            """)
        return try rows[0].decode(as: Program.self)
    }

    public func find(_ id: Int64) async throws -> Program? {
        try await connection.query("SELECT \(Self.columns) FROM padu.programs WHERE id = \(id)")
            .decode(as: Program.self).first
    }

    public func list(after: Int64, limit: Int) async throws -> [Program] {
        try await connection.query(
            "SELECT \(Self.columns) FROM padu.programs WHERE id > \(after) ORDER BY id LIMIT \(limit + 1)"
        ).decode(as: Program.self)
    }

    /// Changes the given fields; nil when the programme is not the caller's.
    public func update(_ id: Int64, _ changes: ProgramChanges) async throws -> Program? {
        try await connection.query(
            """
            UPDATE padu.programs SET code = coalesce(\(changes.code), code), name = coalesce(\(changes.name), name),
                   cluster_id = coalesce(\(changes.clusterID.map { Int16(clamping: $0) }), cluster_id),
                   aid_kind = coalesce(\(changes.aidKind?.rawValue), aid_kind),
                   aid_category = coalesce(\(changes.aidCategory?.rawValue), aid_category),
                   target = coalesce(\(changes.target?.rawValue), target),
                   unit = coalesce(\(changes.unit), unit)
             WHERE id = \(id)
            RETURNING \(Self.columns)
            """
        ).decode(as: Program.self).first
    }

    /// The programme if the caller may work with its budgets, reports and deliveries: an
    /// agency or coordinator only with its own agency's, the admin with any it can see.
    public func workable(_ id: Int64, by caller: Caller) async throws -> Program? {
        guard let program = try await find(id) else { return nil }
        return caller.role == .admin || program.agencyID == caller.agencyID ? program : nil
    }

    /// The programme if it is the caller's agency's own (planning and delivering are the owner's).
    public func owned(_ id: Int64, by caller: Caller) async throws -> Program? {
        guard let program = try await find(id), program.agencyID == caller.agencyID else { return nil }
        return program
    }

    /// The admin's switch, audited in the same statement (only when a row changed).
    public func setRequiresCoordination(_ id: Int64, _ value: Bool) async throws -> Program? {
        try await connection.query(
            """
            WITH changed AS (
                UPDATE padu.programs SET requires_coordination = \(value) WHERE id = \(id) RETURNING *)
            SELECT \(Self.columns),
                   padu.audit('set_requires_coordination', 'program', id::text, jsonb_build_object('value', \(value)))
              FROM changed
            """
        ).decode(as: Program.self).first
    }
}
