/// A warning the coordination check raises on a recipient, as the contract names it.
public enum CheckFlag: String, Sendable, Codable, CaseIterable {
    /// Not a structurally valid NIK or KK, or its district code does not exist.
    case invalidID = "INVALID_ID"
    /// A valid number the social registry does not hold.
    case notInRegistry = "NOT_IN_REGISTRY"
    /// The household's welfare decile is above the targeted 1-4.
    case decileAbove4 = "DECILE_ABOVE_4"
    /// Retired in v1.1 (it compared `aid_kind`, so a house and toddler food were "the same"):
    /// never raised any more, kept so that lines stored with it still decode. It needs no
    /// acknowledgement.
    case alreadyReceivingSameKind = "ALREADY_RECEIVING_SAME_KIND"
    /// Another programme of the same aid category delivered to the person or household this year.
    case sameCategoryReceived = "SAME_CATEGORY_RECEIVED"
    /// Another agency's submitted or approved plan line, same category, same year.
    case sameCategoryPlanned = "SAME_CATEGORY_PLANNED"
    /// The same person or household appears more than once in the list.
    case duplicateInPlan = "DUPLICATE_IN_PLAN"
    /// The registry holds a near-duplicate of this person (name and birth date).
    case possibleDuplicatePerson = "POSSIBLE_DUPLICATE_PERSON"

    /// Whether a coordinator approving a line that carries this flag must acknowledge it (the
    /// database's `padu.flags_to_acknowledge` states the same).
    public var needsAcknowledgement: Bool { self != .alreadyReceivingSameKind }

    /// The flags of a line that an approval leaves unacknowledged, in the contract's order (the
    /// rule itself is the database's: `padu.plan_lines_approved_acknowledged`).
    public static func unacknowledged(_ flags: [CheckFlag], acknowledged: [CheckFlag]) -> [CheckFlag] {
        ordered(flags.filter { $0.needsAcknowledgement && !acknowledged.contains($0) })
    }

    /// `flags` in the contract's order, each once.
    public static func ordered(_ flags: some Sequence<CheckFlag>) -> [CheckFlag] {
        let set = Set(flags)
        return allCases.filter(set.contains)
    }

    /// What the registry and the list say about one recipient, and so which flags it carries.
    public struct Facts: Sendable, Equatable {
        public var wellFormed: Bool
        public var districtKnown: Bool
        public var inRegistry: Bool
        public var decile: Int?
        /// The category of the programme the recipient is checked for.
        public var category: AidCategory?
        /// Categories of the other programmes that delivered to the recipient this year.
        public var receivedCategories: [AidCategory]
        /// Categories of other agencies' submitted or approved plan lines naming the recipient.
        public var plannedCategories: [AidCategory]
        public var repeatedInList: Bool
        public var possibleDuplicate: Bool

        public init(
            wellFormed: Bool, districtKnown: Bool, inRegistry: Bool, decile: Int?, category: AidCategory? = nil,
            receivedCategories: [AidCategory] = [], plannedCategories: [AidCategory] = [], repeatedInList: Bool,
            possibleDuplicate: Bool
        ) {
            self.wellFormed = wellFormed
            self.districtKnown = districtKnown
            self.inRegistry = inRegistry
            self.decile = decile
            self.category = category
            self.receivedCategories = receivedCategories
            self.plannedCategories = plannedCategories
            self.repeatedInList = repeatedInList
            self.possibleDuplicate = possibleDuplicate
        }

        /// A recipient is valid when its number is well formed and its district exists.
        public var valid: Bool { wellFormed && districtKnown }

        /// Whether any of `categories` is the same aid as the programme's. `other` is no
        /// category: two programmes of `other` are not known to give the same aid.
        func sameAid(_ categories: [AidCategory]) -> Bool {
            guard let category, category != .other else { return false }
            return categories.contains(category)
        }

        /// The flags, in the contract's order. Facts that only a valid number can have (registry,
        /// other aid and plans, near-duplicates) raise nothing for an invalid one.
        public var flags: [CheckFlag] {
            var flags: [CheckFlag] = []
            if !valid { flags.append(.invalidID) }
            if valid && !inRegistry { flags.append(.notInRegistry) }
            if valid, let decile, decile > Decile.targetedRange.upperBound {
                flags.append(.decileAbove4)
            }
            if valid && sameAid(receivedCategories) { flags.append(.sameCategoryReceived) }
            if valid && sameAid(plannedCategories) { flags.append(.sameCategoryPlanned) }
            if repeatedInList { flags.append(.duplicateInPlan) }
            if valid && possibleDuplicate { flags.append(.possibleDuplicatePerson) }
            return flags
        }
    }
}
