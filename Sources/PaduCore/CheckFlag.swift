/// A warning the coordination check raises on a recipient, as the contract names it.
public enum CheckFlag: String, Sendable, Codable, CaseIterable {
    /// Not a structurally valid NIK or KK, or its district code does not exist.
    case invalidID = "INVALID_ID"
    /// A valid number the social registry does not hold.
    case notInRegistry = "NOT_IN_REGISTRY"
    /// The household's welfare decile is above the targeted 1-4.
    case decileAbove4 = "DECILE_ABOVE_4"
    /// Already receiving aid of the same kind from another programme this year.
    case alreadyReceivingSameKind = "ALREADY_RECEIVING_SAME_KIND"
    /// The same person or household appears more than once in the list.
    case duplicateInPlan = "DUPLICATE_IN_PLAN"
    /// The registry holds a near-duplicate of this person (name and birth date).
    case possibleDuplicatePerson = "POSSIBLE_DUPLICATE_PERSON"

    /// What the registry and the list say about one recipient, and so which flags it carries.
    public struct Facts: Sendable, Equatable {
        public var wellFormed: Bool
        public var districtKnown: Bool
        public var inRegistry: Bool
        public var decile: Int?
        public var sameKindReceived: Bool
        public var repeatedInList: Bool
        public var possibleDuplicate: Bool

        public init(
            wellFormed: Bool, districtKnown: Bool, inRegistry: Bool, decile: Int?, sameKindReceived: Bool,
            repeatedInList: Bool, possibleDuplicate: Bool
        ) {
            self.wellFormed = wellFormed
            self.districtKnown = districtKnown
            self.inRegistry = inRegistry
            self.decile = decile
            self.sameKindReceived = sameKindReceived
            self.repeatedInList = repeatedInList
            self.possibleDuplicate = possibleDuplicate
        }

        /// A recipient is valid when its number is well formed and its district exists.
        public var valid: Bool { wellFormed && districtKnown }

        /// The flags, in the contract's order. Facts that only a valid number can have (registry,
        /// other aid, near-duplicates) raise nothing for an invalid one.
        public var flags: [CheckFlag] {
            var flags: [CheckFlag] = []
            if !valid { flags.append(.invalidID) }
            if valid && !inRegistry { flags.append(.notInRegistry) }
            if valid, let decile, decile > Decile.targetedRange.upperBound {
                flags.append(.decileAbove4)
            }
            if valid && sameKindReceived { flags.append(.alreadyReceivingSameKind) }
            if repeatedInList { flags.append(.duplicateInPlan) }
            if valid && possibleDuplicate { flags.append(.possibleDuplicatePerson) }
            return flags
        }
    }
}
