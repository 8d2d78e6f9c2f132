import PaduCore
import Testing

@Suite("Check flags")
struct CheckFlagTests {
    /// A recipient in the registry, targeted, with nothing to warn about; tests change one fact.
    static let clean = CheckFlag.Facts(
        wellFormed: true, districtKnown: true, inRegistry: true, decile: 2, category: .housing,
        receivedCategories: [], plannedCategories: [], repeatedInList: false, possibleDuplicate: false)

    static func facts(_ change: (inout CheckFlag.Facts) -> Void) -> CheckFlag.Facts {
        var facts = clean
        change(&facts)
        return facts
    }

    @Test("a valid, targeted registry recipient raises no flag")
    func nothingToWarn() {
        #expect(Self.clean.valid)
        #expect(Self.clean.flags.isEmpty)
    }

    @Test("each fact raises its own flag")
    func oneFactOneFlag() {
        #expect(
            Self.facts {
                $0.inRegistry = false
                $0.decile = nil
            }.flags == [.notInRegistry])
        #expect(Self.facts { $0.decile = 5 }.flags == [.decileAbove4])
        #expect(Self.facts { $0.receivedCategories = [.food, .housing] }.flags == [.sameCategoryReceived])
        #expect(Self.facts { $0.plannedCategories = [.housing] }.flags == [.sameCategoryPlanned])
        #expect(Self.facts { $0.repeatedInList = true }.flags == [.duplicateInPlan])
        #expect(Self.facts { $0.possibleDuplicate = true }.flags == [.possibleDuplicatePerson])
    }

    @Test("deciles 1 to 4 are targeted; 5 and above are flagged", arguments: 1...10)
    func decileBoundary(decile: Int) {
        #expect(Self.facts { $0.decile = decile }.flags == (decile > 4 ? [.decileAbove4] : []))
    }

    @Test("a malformed number or an unknown district is invalid")
    func invalid() {
        for facts in [Self.facts { $0.wellFormed = false }, Self.facts { $0.districtKnown = false }] {
            #expect(!facts.valid)
            #expect(facts.flags.first == .invalidID)
        }
    }

    @Test("an invalid number raises no registry, aid or near-duplicate flag, but a repeat in the list still counts")
    func invalidHidesRegistryFacts() {
        let invalid = Self.facts {
            $0.wellFormed = false
            $0.inRegistry = false
            $0.decile = nil
            $0.receivedCategories = [.housing]
            $0.plannedCategories = [.housing]
            $0.possibleDuplicate = true
            $0.repeatedInList = true
        }
        #expect(invalid.flags == [.invalidID, .duplicateInPlan])
    }

    @Test("flags come in the contract's order")
    func order() {
        let everything = Self.facts {
            $0.inRegistry = false
            $0.decile = 9
            $0.receivedCategories = [.housing]
            $0.plannedCategories = [.housing]
            $0.repeatedInList = true
            $0.possibleDuplicate = true
        }
        #expect(
            everything.flags == [
                .notInRegistry, .decileAbove4, .sameCategoryReceived, .sameCategoryPlanned, .duplicateInPlan,
                .possibleDuplicatePerson,
            ])
        #expect(
            CheckFlag.allCases.map(\.rawValue) == [
                "INVALID_ID", "NOT_IN_REGISTRY", "DECILE_ABOVE_4", "ALREADY_RECEIVING_SAME_KIND",
                "SAME_CATEGORY_RECEIVED",
                "SAME_CATEGORY_PLANNED", "DUPLICATE_IN_PLAN", "POSSIBLE_DUPLICATE_PERSON",
            ])
    }

    @Test("an invalid number raises no decile flag either, as the rule's documentation says")
    func invalidHidesDecile() {
        let invalid = Self.facts {
            $0.districtKnown = false
            $0.decile = 7
        }
        // The store never passes a decile for an invalid number (an unknown district has no
        // registry row), but the pure rule does not guard the decile as it guards the others.
        #expect(invalid.flags == [.invalidID])
    }

    @Test("the contract's order is the declaration order")
    func contractOrder() {
        let all = Self.facts {
            $0.inRegistry = false
            $0.decile = 7
            $0.receivedCategories = [.housing]
            $0.plannedCategories = [.housing]
            $0.repeatedInList = true
            $0.possibleDuplicate = true
        }.flags
        let positions = all.map { CheckFlag.allCases.firstIndex(of: $0)! }
        #expect(positions == positions.sorted())
    }

    @Test("same category flags: another category, or 'other' on either side, raises nothing")
    func sameCategory() {
        // Toddler food next to a house renovation: different aid.
        #expect(Self.facts { $0.receivedCategories = [.food, .health] }.flags.isEmpty)
        #expect(Self.facts { $0.plannedCategories = [.food] }.flags.isEmpty)
        // Two programmes of "other" are not known to be the same aid.
        #expect(
            Self.facts {
                $0.category = .other
                $0.receivedCategories = [.other]
                $0.plannedCategories = [.other]
            }.flags.isEmpty)
        #expect(
            Self.facts {
                $0.category = nil
                $0.plannedCategories = [.housing]
            }.flags.isEmpty)
        // Both at once, in the contract's order.
        #expect(
            Self.facts {
                $0.receivedCategories = [.housing]
                $0.plannedCategories = [.food, .housing]
            }.flags == [.sameCategoryReceived, .sameCategoryPlanned])
        // Only a valid number is compared.
        #expect(
            Self.facts {
                $0.wellFormed = false
                $0.plannedCategories = [.housing]
            }.flags == [.invalidID])
    }

    @Test("the retired ALREADY_RECEIVING_SAME_KIND is never raised, still decodes, and needs no acknowledgement")
    func retiredFlag() throws {
        let everything = Self.facts {
            $0.inRegistry = false
            $0.decile = 9
            $0.receivedCategories = AidCategory.allCases
            $0.plannedCategories = AidCategory.allCases
            $0.repeatedInList = true
            $0.possibleDuplicate = true
        }
        #expect(!everything.flags.contains(.alreadyReceivingSameKind))
        #expect(CheckFlag(rawValue: "ALREADY_RECEIVING_SAME_KIND") == .alreadyReceivingSameKind)
        #expect(!CheckFlag.alreadyReceivingSameKind.needsAcknowledgement)
        #expect(CheckFlag.allCases.filter { !$0.needsAcknowledgement } == [.alreadyReceivingSameKind])
        #expect(
            CheckFlag.ordered([.duplicateInPlan, .sameCategoryPlanned, .invalidID, .sameCategoryPlanned])
                == [.invalidID, .sameCategoryPlanned, .duplicateInPlan])
    }

    @Test("an approval leaves unacknowledged every flag it does not name, but the retired one")
    func acknowledgement() {
        #expect(CheckFlag.unacknowledged([], acknowledged: []) == [])
        #expect(CheckFlag.unacknowledged([.sameCategoryPlanned], acknowledged: []) == [.sameCategoryPlanned])
        #expect(CheckFlag.unacknowledged([.sameCategoryPlanned], acknowledged: [.sameCategoryPlanned]) == [])
        #expect(
            CheckFlag.unacknowledged(
                [.possibleDuplicatePerson, .decileAbove4, .sameCategoryPlanned], acknowledged: [.decileAbove4])
                == [.decileAbove4, .sameCategoryPlanned, .possibleDuplicatePerson].filter { $0 != .decileAbove4 })
        #expect(CheckFlag.unacknowledged([.alreadyReceivingSameKind], acknowledged: []) == [])
        // Acknowledging more than the line carries is harmless.
        #expect(CheckFlag.unacknowledged([.decileAbove4], acknowledged: [.decileAbove4, .invalidID]) == [])
    }
}
