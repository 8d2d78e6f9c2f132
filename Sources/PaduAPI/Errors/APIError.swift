import Foundation
import HTTPTypes
import Hummingbird
import PaduCore
import PaduStore

/// An error in the contract's envelope: `{"error": {"code", "message", "details": [{"field", "problem"}]}}`.
public struct APIError: Error, HTTPResponseError, Sendable {
    public struct Detail: Codable, Sendable, Equatable {
        public var field: String
        public var problem: String
    }

    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var details: [Detail]
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, code: String, message: String, details: [Detail] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public static func unauthenticated() -> APIError {
        APIError(
            .unauthorized, code: "unauthenticated", message: "sign in first: the token is missing, expired or revoked")
    }
    public static func forbidden(_ message: String = "your role may not do this") -> APIError {
        APIError(.forbidden, code: "forbidden", message: message)
    }
    public static func notFound(_ what: String = "resource") -> APIError {
        APIError(.notFound, code: "not_found", message: "no such \(what)")
    }
    public static func conflict(_ message: String) -> APIError {
        APIError(.conflict, code: "conflict", message: message)
    }
    public static func malformed(_ message: String) -> APIError {
        APIError(.badRequest, code: "malformed_request", message: message)
    }
    public static func validation(_ details: [Detail], message: String = "some fields are not valid") -> APIError {
        APIError(.unprocessableContent, code: "validation_failed", message: message, details: details)
    }
    public static func validation(field: String, problem: String) -> APIError {
        validation([Detail(field: field, problem: problem)])
    }
    public static func unsupportedMediaType(_ expected: String) -> APIError {
        APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "send \(expected)")
    }
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large", message: "the body is larger than \(limit) bytes")
    }
    public static func rateLimited(retryAfter seconds: Int) -> APIError {
        APIError(
            .tooManyRequests, code: "rate_limited", message: "too many failed attempts; try again later",
            headers: [.retryAfter: String(seconds)])
    }
    public static func unavailable() -> APIError {
        APIError(
            .serviceUnavailable, code: "unavailable", message: "the database is unavailable; try again shortly",
            headers: [.retryAfter: "5"])
    }
    public static func `internal`(requestID: String) -> APIError {
        APIError(
            .internalServerError, code: "internal",
            message: "something went wrong on our side; quote request id \(requestID)")
    }

    struct Envelope: Codable {
        struct Body: Codable {
            var code: String
            var message: String
            var details: [Detail]
        }
        var error: Body
    }

    /// The envelope in the request's language (`Accept-Language`; Indonesian by default):
    /// `message` and each `problem` translated, `code` and `field` as they are.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let language = Language(acceptLanguage: request.headers[.acceptLanguage])
        let body = try JSONCoding.encoder.encode(
            Envelope(
                error: .init(
                    code: code, message: language.text(message),
                    details: details.map { Detail(field: $0.field, problem: language.text($0.problem)) })))
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLanguage] = language.rawValue
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension APIError {
    /// The envelope for any error a handler threw: contract errors as they are, validation,
    /// access and database errors translated, anything else a 500 that names only the request id.
    /// The one place where typed errors become HTTP.
    static func from(_ error: any Error, requestID: String) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as ValidationError:
            return .validation(error.problems.map { Detail(field: $0.field, problem: $0.problem) })
        case let error as AccessError:
            return error == .unauthenticated ? .unauthenticated() : .forbidden()
        case let error as DatabaseError: return from(error, requestID: requestID)
        case let error as HTTPError where error.status == .contentTooLarge:
            return APIError(.contentTooLarge, code: "payload_too_large", message: "the body is too large")
        case let error as any HTTPResponseError where error.status == .notFound: return .notFound("route")
        case let error as any HTTPResponseError where error.status == .methodNotAllowed:
            return APIError(
                .methodNotAllowed, code: "method_not_allowed", message: "this path does not take that method")
        default: return .internal(requestID: requestID)
        }
    }

    static func from(_ error: DatabaseError, requestID: String) -> APIError {
        switch error {
        case .unavailable: return .unavailable()
        case .forbidden: return .forbidden()
        case .retry:
            return APIError(
                .serviceUnavailable, code: "unavailable", message: "a concurrent change got in the way; retry",
                headers: [.retryAfter: "1"])
        case .duplicate: return .conflict("a record with the same key exists")
        case .danglingReference(let field): return .validation(field: field, problem: "refers to nothing that exists")
        case .notAllowed(let field): return .validation(field: field, problem: "is not allowed")
        case .invalidValue(let field, let reason):
            switch reason {
            case .unstorableCharacter: return .validation(field: field, problem: nulProblem)
            case .tooLong: return .validation(field: field, problem: "is too long")
            case .outOfRange: return .validation(field: field, problem: "is out of range")
            case .malformed: return .validation(field: field, problem: "is not valid")
            }
        case .unexpected: return .internal(requestID: requestID)
        case .rule(let rule, let column):
            switch rule {
            case .overBudgetNeedsReason:
                if column == "allocated_idr" {
                    return .validation(
                        field: "allocations",
                        problem: "lowers the budget below what is already realised; give below_realised_reason")
                }
                return .validation(field: "amount_idr", problem: "exceeds the allocation; give over_budget_reason")
            case .deliveryExceedsPlanLine:
                return .validation(field: "deliveries", problem: "exceeds the plan line's planned quantity or value")
            case .deliveryNeedsApprovedLine:
                return .validation(field: "deliveries", problem: "the recipient has no approved plan line")
            case .closedPeriodReportFrozen:
                return .conflict("the period is closed: its reports cannot be filed or changed")
            case .planState: return .conflict("the plan is not in a state that allows this")
            case .flagsNotAcknowledged:
                return .validation(
                    field: "acknowledged", problem: "a flagged line is approved only when its flags are acknowledged")
            case .programmeNotFound: return .notFound("programme")
            case .scopeOutsideDeployment:
                return .validation(
                    field: "scope",
                    problem: "is not a region this deployment serves, or lies outside the agency's regency")
            case .checkQuotaExhausted:
                // The allowance renews on the clock hour (padu.claim_check_quota).
                let secondsIntoHour = Int(Date().timeIntervalSince1970) % 3600
                return APIError(
                    .tooManyRequests, code: "rate_limited",
                    message: "this account checked its hourly allowance of recipients; try again next hour",
                    headers: [.retryAfter: String(3600 - secondsIntoHour)])
            case .auditAppendOnly, .recipientIDsMismatch: return .internal(requestID: requestID)
            }
        }
    }
}
