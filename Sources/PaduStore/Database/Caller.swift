/// An API role; each maps to a PostgreSQL role the API switches to for a request.
public enum Role: String, Sendable, Codable, CaseIterable {
    case agency, coordinator, executive, admin

    /// The PostgreSQL role: `padu_agency`, ...
    public var databaseRole: String { "padu_" + rawValue }
}

/// Who is making a request, as the database authenticated them.
public struct Caller: Sendable, Equatable {
    public var accountID: Int64
    public var username: String
    public var role: Role
    public var agencyID: Int64?
    /// Region scope: a Kemendagri code; the caller sees that subtree.
    public var scope: String

    public init(accountID: Int64, username: String, role: Role, agencyID: Int64?, scope: String) {
        self.accountID = accountID
        self.username = username
        self.role = role
        self.agencyID = agencyID
        self.scope = scope
    }
}

/// Why a request may not proceed.
public enum AccessError: Error, Equatable, Sendable {
    /// No live session for the token.
    case unauthenticated
    /// The caller's role may not use this operation.
    case forbidden
}
