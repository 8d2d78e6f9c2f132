import PQ

/// A rule the database enforces and reports with its own SQLSTATE (`PD0xx`).
///
/// Each code is raised by the SQL named in its comment and declared here once; a test reads
/// every `ERRCODE = 'PD…'` in `sql/` and checks that this list and the SQL agree. Swift never
/// restates these rules: it only explains them better, from this declaration.
public enum DatabaseRule: String, Sendable, CaseIterable {
    /// Realisation past the year's allocation without `over_budget_reason` (0005, realizations
    /// trigger), or an allocation lowered below what is realised without `below_realised_reason` (0018);
    /// both count standing (not reversed) realisations since 0045.
    case overBudgetNeedsReason = "PD001"
    /// A coordinated programme's delivery without an approved plan line (0006; once per statement since 0055).
    case deliveryNeedsApprovedLine = "PD002"
    /// A report of a closed period filed, changed or submitted (0005, 0018).
    case closedPeriodReportFrozen = "PD003"
    /// The audit log is append-only (0007).
    case auditAppendOnly = "PD004"
    /// A plan or plan line moved, or was written, in a way its state or owner does not allow (0006, 0014, 0017, 0036, 0090, 0091).
    case planState = "PD005"
    /// Registry ids on a plan line or delivery are not those of its NIK or KK (0014; resolved once
    /// per distinct recipient of the statement since 0096).
    case recipientIDsMismatch = "PD006"
    /// Deliveries against a plan line beyond its planned quantity or value in a year (0019; reversed
    /// deliveries do not count since 0045; the sum in padu.plan_line_delivered since 0055).
    case deliveryExceedsPlanLine = "PD007"
    /// The account checked more recipients this hour than `padu.check_limits` allows (0030).
    case checkQuotaExhausted = "PD008"
    /// A plan line approved with flags the decision did not acknowledge (0036).
    case flagsNotAcknowledged = "PD036"
    /// An account's scope outside the regions the deployment serves, or an agency's account scoped
    /// beyond its agency's regency (0090).
    case scopeOutsideDeployment = "PD090"
    /// The check named a programme the caller may not check (0010, 0012, 0033, 0036, 0081, 0087, 0093, 0094,
    /// 0103, 0107).
    case programmeNotFound = "PD404"
}

/// Why a store could not do what it was asked, in terms the API can explain.
public enum DatabaseError: Error, Sendable, Equatable {
    /// A rule of `DatabaseRule` refused the change; `column` names the column when the SQL gave one.
    case rule(DatabaseRule, column: String?)
    /// A unique key already exists.
    case duplicate(constraint: String?)
    /// A value refers to nothing that exists (a foreign key).
    case danglingReference(field: String)
    /// A check or not-null constraint refused a value.
    case notAllowed(field: String)
    /// A value the database cannot store as sent, that no earlier check caught.
    case invalidValue(field: String, InvalidValue)
    /// The role may not do this (a grant or a policy said no).
    case forbidden
    /// A concurrent change got in the way (serialisation failure, deadlock); retrying may work.
    case retry
    /// The database cannot be reached or the pool is exhausted.
    case unavailable
    /// Anything else: a bug, not the caller's doing. The description hides the details.
    case unexpected(code: String)

    /// Why the database could not take a value.
    public enum InvalidValue: Sendable, Equatable {
        /// A character it cannot store (NUL, or bytes not valid in the encoding).
        case unstorableCharacter
        case tooLong
        case outOfRange
        /// Text that does not read as the column's type (a date, a number).
        case malformed
    }

    /// An error a store threw, as the transaction's end will report it: for a handler that
    /// catches it inside the transaction (to show a form again) before it is translated.
    public static func translating(_ error: any Error) -> any Error {
        guard let error = error as? PQError else { return error }
        return from(error)
    }

    /// Translates what libpq reported; PQ's error never leaves PaduStore.
    static func from(_ error: PQError) -> DatabaseError {
        if error.isConnectionError { return .unavailable }
        guard let state = error.sqlState else { return .unexpected(code: error.code.description) }
        if let rule = DatabaseRule(rawValue: state) { return .rule(rule, column: error.column) }
        switch state {
        case PQError.SQLState.insufficientPrivilege: return .forbidden
        case PQError.SQLState.uniqueViolation: return .duplicate(constraint: error.constraint)
        case PQError.SQLState.foreignKeyViolation:
            return .danglingReference(field: error.column ?? error.constraint ?? "reference")
        case PQError.SQLState.checkViolation, PQError.SQLState.notNullViolation:
            return .notAllowed(field: error.column ?? error.constraint ?? "body")
        case "22021", "22P05": return .invalidValue(field: error.column ?? "body", .unstorableCharacter)
        case "22001", "54000": return .invalidValue(field: error.column ?? "body", .tooLong)
        case "22003": return .invalidValue(field: error.column ?? "body", .outOfRange)
        case "22007", "22008", PQError.SQLState.invalidTextRepresentation:
            return .invalidValue(field: error.column ?? "body", .malformed)
        case PQError.SQLState.serializationFailure, PQError.SQLState.deadlockDetected: return .retry
        default: return .unexpected(code: state)
        }
    }
}

/// Runs `body`, turning PQ's errors into `DatabaseError`.
func translatingErrors<Result>(
    isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
) async throws -> Result {
    do {
        return try await body()
    } catch let error as PQError {
        throw DatabaseError.from(error)
    }
}
