/// Where a distribution plan stands: an agency drafts and submits it, the cluster's
/// coordinator approves or rejects it. The database enforces the same moves (trigger
/// `padu.plan_transition`); these let the API say why before it asks.
public enum PlanStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case draft, submitted, approved, rejected

    /// The statuses a plan may move to from this one.
    public var next: Set<PlanStatus> {
        switch self {
        case .draft: [.submitted]
        case .submitted: [.approved, .rejected]
        case .approved, .rejected: []
        }
    }

    /// Whether a plan in this status may move to `status`.
    public func allows(_ status: PlanStatus) -> Bool { next.contains(status) }

    public var description: String { rawValue }
}

/// A plan line's decision: pending until the coordinator approves or rejects it.
public enum LineStatus: String, Sendable, Codable, CaseIterable {
    case pending, approved, rejected
}

/// A coordinator's decision on a submitted plan.
public enum PlanDecision: String, Sendable, Codable, CaseIterable {
    case approve, reject

    /// The plan's status after the decision.
    public var outcome: PlanStatus { self == .approve ? .approved : .rejected }
}

/// A progress report is a draft until the agency submits it.
public enum ReportStatus: String, Sendable, Codable, CaseIterable {
    case draft, submitted
}

/// A reporting period is open for reports or closed.
public enum PeriodStatus: String, Sendable, Codable, CaseIterable {
    case open, closed
}
