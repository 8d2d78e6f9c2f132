/// Whom an agency names in a recipient list: a person by NIK or a household by KK. A number
/// that is not well formed is kept as it was written, so that the check can flag it
/// (`INVALID_ID`) instead of refusing the whole list.
public enum RecipientID: Sendable, Hashable {
    case nik(NIK)
    case kk(KK)
    case malformed(RecipientKind, String)

    /// Reads `text` as a NIK or a KK of `kind`; a malformed one is kept as such.
    public init(_ kind: RecipientKind, _ text: String) {
        switch kind {
        case .nik: self = (try? NIK(text)).map(RecipientID.nik) ?? .malformed(.nik, text)
        case .kk: self = (try? KK(text)).map(RecipientID.kk) ?? .malformed(.kk, text)
        }
    }

    public var kind: RecipientKind {
        switch self {
        case .nik: .nik
        case .kk: .kk
        case .malformed(let kind, _): kind
        }
    }

    /// The number as written (valid or not).
    public var text: String {
        switch self {
        case .nik(let nik): nik.value
        case .kk(let kk): kk.value
        case .malformed(_, let text): text
        }
    }

    /// Whether the number is structurally valid.
    public var isWellFormed: Bool {
        if case .malformed = self { return false }
        return true
    }
}

/// Whether a recipient is a person (NIK) or a household (KK).
public enum RecipientKind: String, Sendable, Codable, CaseIterable {
    case nik, kk
}
