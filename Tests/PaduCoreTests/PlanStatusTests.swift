import PaduCore
import Testing

@Suite("Plan status")
struct PlanStatusTests {
    @Test("a draft may only be submitted; a submitted plan only decided; a decided plan is final")
    func next() {
        #expect(PlanStatus.draft.next == [.submitted])
        #expect(PlanStatus.submitted.next == [.approved, .rejected])
        #expect(PlanStatus.approved.next.isEmpty)
        #expect(PlanStatus.rejected.next.isEmpty)
    }

    @Test("allows is exactly membership of next", arguments: PlanStatus.allCases)
    func allows(from status: PlanStatus) {
        for target in PlanStatus.allCases {
            #expect(status.allows(target) == status.next.contains(target), "\(status) → \(target)")
        }
        #expect(!status.allows(status), "staying put is not a move")
    }

    @Test("no status leads back to a draft, and every status is reachable from a draft")
    func reachability() {
        #expect(!PlanStatus.allCases.contains { $0.allows(.draft) })
        var reached: Set<PlanStatus> = [.draft]
        var frontier: Set<PlanStatus> = [.draft]
        while !frontier.isEmpty {
            frontier = Set(frontier.flatMap(\.next)).subtracting(reached)
            reached.formUnion(frontier)
        }
        #expect(reached == Set(PlanStatus.allCases))
    }

    @Test("a decision's outcome is the status a submitted plan may move to")
    func decisionOutcome() {
        #expect(PlanDecision.approve.outcome == .approved)
        #expect(PlanDecision.reject.outcome == .rejected)
        #expect(Set(PlanDecision.allCases.map(\.outcome)) == PlanStatus.submitted.next)
        #expect(PlanDecision.allCases.allSatisfy { !PlanStatus.draft.allows($0.outcome) })
    }

    @Test("statuses read and print as the contract spells them")
    func spelling() {
        #expect(PlanStatus.allCases.map(\.description) == ["draft", "submitted", "approved", "rejected"])
        #expect(PlanStatus(rawValue: "Approved") == nil)
        #expect(PlanDecision.allCases.map(\.rawValue) == ["approve", "reject"])
        #expect(LineStatus.allCases.map(\.rawValue) == ["pending", "approved", "rejected"])
    }
}
