import Foundation

// The dashboard's second edition and the meeting pack (/rakor): aggregates the summary does not
// carry. Money is Int64 rupiah; a suppressed cell (fewer than 5 households) is nil.

/// One agency's realised budget and households reached, this year and the year before.
public struct AgencyYearOverYear: Codable, Sendable, Equatable {
    public var agencyID: Int64
    public var agencyCode: String
    public var agency: String
    public var realizedIDR: Int64
    public var realizedPreviousIDR: Int64
    public var householdsReached: Int
    public var householdsPrevious: Int

    public init(
        agencyID: Int64, agencyCode: String, agency: String, realizedIDR: Int64, realizedPreviousIDR: Int64,
        householdsReached: Int, householdsPrevious: Int
    ) {
        self.agencyID = agencyID
        self.agencyCode = agencyCode
        self.agency = agency
        self.realizedIDR = realizedIDR
        self.realizedPreviousIDR = realizedPreviousIDR
        self.householdsReached = householdsReached
        self.householdsPrevious = householdsPrevious
    }
}

/// Two agencies that served the same households in the year; nil households: fewer than 5.
public struct AgencyPair: Codable, Sendable, Equatable {
    public var agencyACode: String
    public var agencyA: String
    public var agencyBCode: String
    public var agencyB: String
    public var households: Int?

    public init(agencyACode: String, agencyA: String, agencyBCode: String, agencyB: String, households: Int?) {
        self.agencyACode = agencyACode
        self.agencyA = agencyA
        self.agencyBCode = agencyBCode
        self.agencyB = agencyB
        self.households = households
    }
}

/// A kecamatan or desa: its registry households in deciles 1-2 and how many of them no programme
/// reached in the year. nil: suppressed.
public struct PoorestNotReached: Codable, Sendable, Equatable {
    public var regionCode: String
    public var region: String
    public var registryHouseholds: Int?
    public var notReached: Int?

    public init(regionCode: String, region: String, registryHouseholds: Int?, notReached: Int?) {
        self.regionCode = regionCode
        self.region = region
        self.registryHouseholds = registryHouseholds
        self.notReached = notReached
    }
}

/// One agency's reports for a quarter: of its programmes, how many have a submitted report.
public struct ReportingStatus: Codable, Sendable, Equatable {
    public var agencyID: Int64
    public var agencyCode: String
    public var agency: String
    public var programmes: Int
    public var submitted: Int
    public var drafts: Int
    public var lastSubmittedAt: Date?

    public init(
        agencyID: Int64, agencyCode: String, agency: String, programmes: Int, submitted: Int, drafts: Int,
        lastSubmittedAt: Date?
    ) {
        self.agencyID = agencyID
        self.agencyCode = agencyCode
        self.agency = agency
        self.programmes = programmes
        self.submitted = submitted
        self.drafts = drafts
        self.lastSubmittedAt = lastSubmittedAt
    }

    /// Every programme of the agency has a submitted report for the quarter.
    public var complete: Bool { submitted >= programmes }
}

/// The quarterly meeting pack: one section per agency.
public struct MeetingPack: Codable, Sendable, Equatable {
    public var period: String
    public var year: Int
    public var scope: String
    public var scopeName: String
    public var asOf: String?
    public var agencies: [MeetingAgency]
}

public struct MeetingAgency: Codable, Sendable, Equatable {
    public var agencyID: Int64
    public var agencyCode: String
    public var agency: String
    /// Allocated for the year; realised up to the quarter's last month.
    public var allocatedIDR: Int64
    public var realizedIDR: Int64
    /// Reach in the year so far (deliveries are not cut by quarter).
    public var householdsReached: Int
    public var personsReached: Int
    public var deliveries: Int
    /// Households reached in decile 1...10 (10 entries) and recipients outside the registry; nil:
    /// a small cell, suppressed.
    public var byDecile: [Int?]
    public var outsideRegistry: Int?
    public var programmes: [MeetingProgramme]

    public var realizationRate: Double? {
        allocatedIDR > 0 ? Double(realizedIDR) / Double(allocatedIDR) : nil
    }
}

public struct MeetingProgramme: Codable, Sendable, Equatable {
    public var programCode: String
    public var program: String
    public var unit: String
    public var clusterID: Int
    public var allocatedIDR: Int64
    public var realizedIDR: Int64
    /// Realised outputs up to the quarter's last month, in `unit` (e.g. 7 rumah).
    public var outputQuantity: Int64
    /// "submitted", "draft" or nil (no report).
    public var reportStatus: String?
    public var targetQuantity: Int64?
    public var achievedQuantity: Int64?
    public var narrative: String?
    public var submittedAt: String?
}
