/// A Kemendagri administrative region code in its dotted form.
///
/// `16` province · `16.06` regency/city · `16.06.01` district (kecamatan) · `16.06.01.2001` village, where a
/// village code starting with 1 is a kelurahan and one starting with 2 is a desa. Segments have fixed widths,
/// so ordering the dotted strings also orders the hierarchy (a region sorts right before its descendants).
public struct RegionCode: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Depth in the administrative hierarchy.
    public enum Level: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
        /// Provinsi, e.g. `16`.
        case province
        /// Kabupaten or kota, e.g. `16.06`.
        case regency
        /// Kecamatan, e.g. `16.06.01`.
        case district
        /// Kelurahan or desa, e.g. `16.06.01.2001`.
        case village

        /// 1 for province through 4 for village; the number of dotted segments.
        public var depth: Int {
            switch self {
            case .province: 1
            case .regency: 2
            case .district: 3
            case .village: 4
            }
        }

        /// Higher in the hierarchy sorts first.
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.depth < rhs.depth }
    }

    /// Whether a village is urban-administered or a self-governing village; they get different programmes.
    public enum VillageKind: String, Sendable, Hashable, Codable {
        /// Village code starting with 1: an urban ward headed by an appointed lurah.
        case kelurahan
        /// Village code starting with 2: a village with its own elected kepala desa and Dana Desa.
        case desa
    }

    /// The dotted code, e.g. `16.06.01`.
    public let value: String
    /// How deep in the hierarchy this code sits.
    public let level: Level

    private static let widths = [2, 2, 2, 4]
    private static let segmentNames = ["province", "regency", "district", "village"]
    private static let shapeProblem = "must look like 16, 16.06, 16.06.01 or 16.06.01.2001"

    /// Parses a dotted code; only the four shapes 2, 2.2, 2.2.2 and 2.2.2.4 digits are accepted, no segment may
    /// be all zeros, and a village code must start with 1 (kelurahan) or 2 (desa).
    public init(_ text: String) throws(ValidationError) {
        let segments = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard (1...4).contains(segments.count),
            zip(segments, Self.widths).allSatisfy({ $0.count == $1 && ASCIIDigits.areAll($0) })
        else { throw ValidationError(field: "region_code", problem: Self.shapeProblem) }

        var problems: [String] = []
        for (index, segment) in segments.enumerated() {
            let digits = String(decoding: segment, as: UTF8.self)
            if segment.allSatisfy({ $0 == UInt8(ascii: "0") }) {
                problems.append("\(Self.segmentNames[index]) code \(digits) is not valid")
            } else if index == 3, !["1", "2"].contains(digits.first) {
                problems.append("village code \(digits) must start with 1 (kelurahan) or 2 (desa)")
            }
        }
        guard problems.isEmpty else {
            throw ValidationError(problems: problems.map { .init(field: "region_code", problem: $0) })
        }
        self.init(unchecked: text, depth: segments.count)
    }

    /// Builds the district code from the six undotted digits that open an NIK or KK (`160601` → `16.06.01`).
    public init(nikPrefix: String) throws(ValidationError) {
        let bytes = Array(nikPrefix.utf8)
        guard bytes.count == 6, ASCIIDigits.areAll(bytes) else {
            throw ValidationError(field: "region_code", problem: "must be 6 digits")
        }
        let dot = UInt8(ascii: ".")
        let dotted = [bytes[0], bytes[1], dot, bytes[2], bytes[3], dot, bytes[4], bytes[5]]
        try self.init(String(decoding: dotted, as: UTF8.self))
    }

    /// For codes derived from an already validated code (parents), which need no re-checking.
    private init(unchecked value: String, depth: Int) {
        self.value = value
        self.level = Level.allCases[depth - 1]
    }

    /// The dotted code.
    public var description: String { value }

    /// The region one level up, or nil for a province.
    public var parent: RegionCode? {
        guard level != .province, let dot = value.lastIndex(of: ".") else { return nil }
        return RegionCode(unchecked: String(value[..<dot]), depth: level.depth - 1)
    }

    /// This code or its ancestor at `level`; nil when `level` is below this code (a regency has no district).
    public func ancestor(at level: Level) -> RegionCode? {
        guard level <= self.level else { return nil }
        var code = self
        while code.level > level, let parent = code.parent { code = parent }
        return code
    }

    /// The province this region belongs to (itself for a province).
    public var provinceCode: RegionCode { ancestor(at: .province) ?? self }

    /// The regency/city this region belongs to; nil for a province.
    public var regencyCode: RegionCode? { ancestor(at: .regency) }

    /// The kecamatan this region belongs to; nil above district level. NIK and KK prefixes are at this level,
    /// so this is the level at which identity numbers can be matched to regions.
    public var districtCode: RegionCode? { ancestor(at: .district) }

    /// Kelurahan or desa for a village code; nil for the other levels.
    public var villageKind: VillageKind? {
        guard level == .village, let lastSegment = value.split(separator: ".").last else { return nil }
        return lastSegment.first == "1" ? .kelurahan : .desa
    }

    /// True if this code is `scope` itself or lies under it. Compares on a dot boundary so that `16.06`
    /// is within `16` but `16.06` is not within `16.0` (which is not a valid code anyway) or `1`.
    public func isWithin(_ scope: RegionCode) -> Bool {
        value == scope.value || value.hasPrefix(scope.value + ".")
    }

    /// Hierarchical order (parents immediately before their descendants).
    public static func < (lhs: RegionCode, rhs: RegionCode) -> Bool { lhs.value < rhs.value }

    /// Decodes from the dotted string, validating it.
    public init(from decoder: any Decoder) throws {
        self = try decoder.singleValueContainer().decodeCanonical { text throws(ValidationError) in
            try RegionCode(text)
        }
    }

    /// Encodes as the dotted string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
