// The executive summary as the API returns it (field names are the JSON contract: snake_case
// through the API's key strategy, explicit CodingKeys where digits are involved). Rates and shares are fractions 0...1. Money is Int64 rupiah. A suppressed
// small cell (fewer than 5 households) is nil.

/// An optional that appears in JSON as `null` rather than being left out: the contract shows
/// a suppressed cell or an undefined rate as null, its field still there.
@propertyWrapper
public struct Nullable<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A missing key reads as nil, as for a plain optional.
    public func decode<Value>(_ type: Nullable<Value>.Type, forKey key: Key) throws -> Nullable<Value> {
        try decodeIfPresent(type, forKey: key) ?? Nullable(wrappedValue: nil)
    }
}

public struct SummaryTotals: Codable, Sendable, Equatable {
    public var allocatedIDR: Int64
    public var realizedIDR: Int64
    @Nullable public var realizationRate: Double?
    public var personsReached: Int
    public var householdsReached: Int
    public var deliveries: Int
}

public struct AgencySummary: Codable, Sendable, Equatable {
    public var agencyID: Int64
    public var agencyCode: String
    public var agency: String  // display name, e.g. "Dinas Sosial Kabupaten Musi Banyuasin"
    public var allocatedIDR: Int64
    public var realizedIDR: Int64
    @Nullable public var realizationRate: Double?  // nil when nothing allocated
    public var personsReached: Int
    public var householdsReached: Int
    public var deliveries: Int
    public var outputs: [Output] = []  // realised outputs per programme unit, e.g. 7 "rumah"
}

/// Realised output of an agency's programmes in one unit (sum of realisations' output_quantity).
public struct Output: Codable, Sendable, Equatable {
    public var unit: String
    public var quantity: Int64
}

/// What the check and the coordinator kept from going off target: plan lines of the year
/// (submitted plans and later), and the rejected ones by the flags they carried.
public struct Coordination: Codable, Sendable, Equatable {
    public var linesSubmitted = 0
    public var linesApproved = 0
    public var linesRejected = 0
    public var rejectedValueIDR: Int64 = 0
    public var rejectedByFlag: [String: Int] = [:]  // keys are CheckFlag raw values, e.g. "DECILE_ABOVE_4"
}

public struct ClusterSummary: Codable, Sendable, Equatable {
    public var clusterID: Int
    public var cluster: String
    public var allocatedIDR: Int64
    public var realizedIDR: Int64
    @Nullable public var realizationRate: Double?
    public var personsReached: Int
    public var householdsReached: Int
    public var deliveries: Int
}

public struct Targeting: Codable, Sendable, Equatable {
    public var recipients: Int  // distinct households reached (person deliveries count their household)
    public var inRegistry: Int
    public var decile1To4: Int
    public var outsideRegistry: Int
    @Nullable public var shareDecile1To4: Double?
    public var byDecile: [Int]  // 10 entries: households reached in decile 1...10

    enum CodingKeys: String, CodingKey {
        case recipients, inRegistry, outsideRegistry, byDecile
        case decile1To4 = "decile_1_4"
        case shareDecile1To4 = "share_decile_1_4"
    }
}

public struct Overlap: Codable, Sendable, Equatable {
    public var householdsByProgramCount: [String: Int]  // keys "1", "2", "3", "4+"
}

public struct Exclusion: Codable, Sendable, Equatable {
    public var decile1Households: Int
    public var decile1HouseholdsReached: Int

    enum CodingKeys: String, CodingKey {
        case decile1Households = "decile_1_households"
        case decile1HouseholdsReached = "decile_1_households_reached"
    }
}

public struct Reporting: Codable, Sendable, Equatable {
    public var period: String  // "2019-Q2"
    public var submitted: Int
    public var missing: [String]  // agency display names
}

public struct Summary: Codable, Sendable, Equatable {
    public var year: Int
    public var scope: String  // region code, e.g. "16.06"
    public var scopeName: String  // "Kabupaten Musi Banyuasin"
    @Nullable public var asOf: String?  // RFC 3339 instant the figures were computed; nil before the first refresh
    public var totals: SummaryTotals
    public var byAgency: [AgencySummary]
    public var byCluster: [ClusterSummary]
    public var targeting: Targeting
    public var overlap: Overlap
    public var exclusion: Exclusion
    public var reporting: Reporting
    public var coordination = Coordination()
    /// The roll-up of a province scope, one entry per regency (0090); empty below a province.
    public var byRegency: [RegencySummary] = []
}

/// One regency of a province's roll-up: its agencies' budget and realisation, reach located in it.
public struct RegencySummary: Codable, Sendable, Equatable {
    public var regencyCode: String  // "16.06"
    public var regency: String  // "Kabupaten Musi Banyuasin"
    public var allocatedIDR: Int64
    public var realizedIDR: Int64
    @Nullable public var realizationRate: Double?
    public var personsReached: Int
    public var householdsReached: Int
    public var deliveries: Int
    public var registryHouseholds: Int
}

public struct RegionSummary: Codable, Sendable, Equatable {
    public var regionCode: String  // "16.06.01"
    public var region: String  // "Sekayu"
    @Nullable public var registryHouseholds: Int?
    @Nullable public var householdsReached: Int?
    @Nullable public var decile1To4HouseholdsReached: Int?
    @Nullable public var valueDeliveredIDR: Int64?

    enum CodingKeys: String, CodingKey {
        case regionCode, region, registryHouseholds, householdsReached, valueDeliveredIDR
        case decile1To4HouseholdsReached = "decile_1_4_households_reached"
    }
}
