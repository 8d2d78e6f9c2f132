import Foundation
import PaduStore

/// The bodies the coordination endpoints read (JSON; the recipient list may also be CSV).
enum CoordinationRequest {
    struct Recipient: Decodable {
        var nik: String?
        var kk: String?
        /// The name the agency has: the check answers whether it matches the registry's.
        var name: String?
        var plannedValueIDR: Int64?
        var plannedQuantity: Int64?
    }

    /// `POST /coordination/check` and `POST /plans`.
    struct RecipientList: Decodable {
        var programID: Int64?
        var fiscalYear: Int?
        var period: String?
        var recipients: [Recipient]?
    }

    /// A rejected recipient: its NIK or KK as a string, or `{"nik"|"kk"|"line_no", "reason"}`.
    struct RejectedRecipient: Decodable {
        var identifier: String?
        var lineNo: Int?
        var reason: String?

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                identifier = text
                return
            }
            let container = try decoder.container(keyedBy: JSONCoding.Key.self)
            identifier =
                try container.decodeIfPresent(String.self, forKey: .init("nik"))
                ?? container.decodeIfPresent(String.self, forKey: .init("kk"))
            lineNo = try container.decodeIfPresent(Int.self, forKey: .init("lineNo"))
            reason = try container.decodeIfPresent(String.self, forKey: .init("reason"))
        }
    }

    /// Flags the coordinator acknowledges on a line it approves: `{"line_no"|"nik"|"kk", "flags"}`.
    struct Acknowledgement: Decodable {
        var lineNo: Int?
        var nik: String?
        var kk: String?
        var flags: [String]?
    }

    /// `POST /plans/{id}/decision`.
    struct Decision: Decodable {
        var decision: String?
        var reason: String?
        var rejectedRecipients: [RejectedRecipient]?
        var acknowledged: [Acknowledgement]?
    }

    struct Delivery: Decodable {
        var nik: String?
        var kk: String?
        var deliveredOn: String?
        var quantity: Int64?
        var valueIDR: Int64?
    }

    /// `POST /programs/{id}/deliveries`.
    struct Deliveries: Decodable {
        var deliveries: [Delivery]?
    }

    /// `POST /registry/duplicates/{a}/{b}/decision`.
    struct DuplicateDecision: Decodable {
        var decision: String?
    }
}

/// `{"recipients": [...]}`, written directly into bytes (it can hold 50,000 checks).
struct CheckResponse: Encodable {
    var recipients: [RecipientCheck]
}

struct RecordedResponse: Encodable {
    var recorded: Int
}
