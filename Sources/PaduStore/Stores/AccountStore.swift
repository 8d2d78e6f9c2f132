import Foundation
import PQ
import PaduCore

/// An API account as the admin manages it (never with its password hash).
public struct Account: Codable, Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var role: Role
    public var agencyID: Int64?
    public var scope: RegionCode
    public var active: Bool
    public var createdAt: Date
}

/// A new account, validated; the password already hashed.
public struct NewAccount: Sendable {
    public var username: String
    public var passwordHash: String
    public var role: Role
    public var agencyID: Int64?
    public var scope: RegionCode

    public init(username: String, passwordHash: String, role: Role, agencyID: Int64?, scope: RegionCode) {
        self.username = username
        self.passwordHash = passwordHash
        self.role = role
        self.agencyID = agencyID
        self.scope = scope
    }
}

/// Changes to an account, validated; nil fields stay as they are.
public struct AccountChanges: Sendable {
    public var active: Bool?
    public var passwordHash: String?
    public var role: Role?
    public var scope: RegionCode?

    public init(active: Bool? = nil, passwordHash: String? = nil, role: Role? = nil, scope: RegionCode? = nil) {
        self.active = active
        self.passwordHash = passwordHash
        self.role = role
        self.scope = scope
    }
}

/// Accounts, for the admin role (row-level security: accounts within the admin's scope).
public struct AccountStore: Sendable {
    let connection: PQConnection

    static let columns: PQFragment = "id, username, role, agency_id, scope::text AS scope, active, created_at"

    public func create(_ account: NewAccount) async throws -> Account {
        try await connection.query(
            """
            INSERT INTO padu.accounts (username, password_hash, role, agency_id, scope)
            VALUES (\(account.username), \(account.passwordHash), \(account.role.rawValue), \(account.agencyID),
                    \(account.scope.value))
            RETURNING \(Self.columns)
            """
        )[0].decode(as: Account.self)
    }

    /// Changes the given fields; nil if no such account is visible. Each field is its own
    /// statement so that none reads `password_hash`, which the admin may write but not read.
    public func update(_ id: Int64, _ changes: AccountChanges) async throws -> Account? {
        guard try await find(id) != nil else { return nil }
        var statements: [PQQuery] = []
        if let active = changes.active {
            statements.append("UPDATE padu.accounts SET active = \(active) WHERE id = \(id)")
        }
        if let passwordHash = changes.passwordHash {
            statements.append("UPDATE padu.accounts SET password_hash = \(passwordHash) WHERE id = \(id)")
        }
        if let role = changes.role {
            statements.append("UPDATE padu.accounts SET role = \(role.rawValue) WHERE id = \(id)")
        }
        if let scope = changes.scope {
            statements.append("UPDATE padu.accounts SET scope = \(scope.value) WHERE id = \(id)")
        }
        if !statements.isEmpty { try await connection.pipeline(statements) }
        return try await find(id)
    }

    public func list(after: Int64, limit: Int) async throws -> [Account] {
        try await connection.query(
            "SELECT \(Self.columns) FROM padu.accounts WHERE id > \(after) ORDER BY id LIMIT \(limit + 1)"
        ).decode(as: Account.self)
    }

    public func find(_ id: Int64) async throws -> Account? {
        try await connection.query("SELECT \(Self.columns) FROM padu.accounts WHERE id = \(id)")
            .decode(as: Account.self).first
    }
}
