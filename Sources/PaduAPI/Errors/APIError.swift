import Foundation
import HTTPTypes
import Hummingbird
import PQ
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

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONCoding.encoder.encode(Envelope(error: .init(code: code, message: message, details: details)))
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension APIError {
    /// The envelope for any error a handler threw: contract errors as they are, validation
    /// and database failures translated, anything else a 500 that names only the request id.
    static func from(_ error: any Error, requestID: String) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as ValidationError:
            return .validation(error.problems.map { Detail(field: $0.field, problem: $0.problem) })
        case let error as AccessError:
            return error == .unauthenticated ? .unauthenticated() : .forbidden()
        case let error as PQError: return fromDatabase(error, requestID: requestID)
        case let error as HTTPError where error.status == .contentTooLarge:
            return APIError(.contentTooLarge, code: "payload_too_large", message: "the body is too large")
        case let error as any HTTPResponseError where error.status == .notFound: return .notFound("route")
        case let error as any HTTPResponseError where error.status == .methodNotAllowed:
            return APIError(
                .methodNotAllowed, code: "method_not_allowed", message: "this path does not take that method")
        default: return .internal(requestID: requestID)
        }
    }

    static func fromDatabase(_ error: PQError, requestID: String) -> APIError {
        if error.isConnectionError { return .unavailable() }
        switch error.sqlState {
        case PQError.SQLState.insufficientPrivilege: return .forbidden()
        case "PD001":
            return .validation(field: "amount_idr", problem: "exceeds the allocation; give over_budget_reason")
        case "PD002":
            return .validation(field: "deliveries", problem: "the recipient has no approved plan line")
        case "PD003": return .conflict("the report of a closed period was submitted and cannot change")
        case "PD005": return .conflict("the plan is not in a state that allows this")
        case "PD404": return .notFound("programme")
        case PQError.SQLState.uniqueViolation:
            return .conflict("a record with the same key exists")
        case PQError.SQLState.foreignKeyViolation:
            return .validation(
                field: error.column ?? error.constraint ?? "reference", problem: "refers to nothing that exists")
        case PQError.SQLState.checkViolation, PQError.SQLState.notNullViolation:
            return .validation(field: error.column ?? error.constraint ?? "body", problem: "is not allowed")
        case "22021", "22P05":
            // A character the database cannot store (NUL) that no earlier check caught.
            return .validation(field: error.column ?? "body", problem: nulProblem)
        case "22001", "54000":
            return .validation(field: error.column ?? "body", problem: "is too long")
        case "22003":
            return .validation(field: error.column ?? "body", problem: "is out of range")
        case "22007", "22008", PQError.SQLState.invalidTextRepresentation:
            return .validation(field: error.column ?? "body", problem: "is not valid")
        case PQError.SQLState.serializationFailure, PQError.SQLState.deadlockDetected:
            return APIError(
                .serviceUnavailable, code: "unavailable", message: "a concurrent change got in the way; retry",
                headers: [.retryAfter: "1"])
        default: return .internal(requestID: requestID)
        }
    }
}
