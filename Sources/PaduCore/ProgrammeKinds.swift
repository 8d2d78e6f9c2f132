/// What form a programme's aid takes.
public enum AidKind: String, Sendable, Codable, CaseIterable {
    case cash
    case inKind = "in_kind"
    case service, insurance
}

/// What a programme's aid is for: the field the coordination check compares, so a house
/// renovation and toddler food are never "the same" aid just because both are in kind.
public enum AidCategory: String, Sendable, Codable, CaseIterable {
    case housing, food, health, education, business, livestock
    case cashTransfer = "cash_transfer"
    case insurance
    case socialService = "social_service"
    case other
}

/// The four clusters of the poverty-reduction strategy that TKPKD coordinates by (Klaster 1:
/// family-based social assistance ... Klaster 4: pro-people programmes). The database holds the
/// same four (`padu.clusters`, `CHECK (id BETWEEN 1 AND 4)`); this names them for messages and forms.
public enum PovertyCluster {
    public static let ids: ClosedRange<Int> = 1...4
}

/// Whom a programme's aid goes to: persons (by NIK) or households (by KK).
public enum ProgrammeTarget: String, Sendable, Codable, CaseIterable {
    case person, household
}

/// Where a programme's money comes from (sumber dana).
public enum FundingSource: String, Sendable, Codable, CaseIterable {
    case apbdKab = "APBD_KAB"
    case apbdProv = "APBD_PROV"
    case apbn = "APBN"
    case dak = "DAK"
    case danaDesa = "DANA_DESA"
    case baznas = "BAZNAS"
    case csr = "CSR"
    case other = "OTHER"
}

/// The kind of a government or partner agency (OPD).
public enum AgencyKind: String, Sendable, Codable, CaseIterable {
    case dinas, badan, secretariat, hospital, vertical
    case nonGovernment = "non_government"
    case kecamatan, other
}

/// Where the social registry's data came from.
public enum RegistrySource: String, Sendable, Codable, CaseIterable {
    case dtks = "DTKS"
    case dtsen = "DTSEN"
    case local = "LOCAL"
}

/// A person's place in a household (hubungan dalam keluarga).
public enum Relationship: String, Sendable, Codable, CaseIterable {
    case head, spouse, child
    case childInLaw = "child_in_law"
    case grandchild, parent
    case parentInLaw = "parent_in_law"
    case otherRelative = "other_relative"
    case other
}
