import Foundation
import HTTPTypes
import Hummingbird
import PaduCore
import PaduStore

// The household view as a page, a link away from a plan line: the family and the aid it has
// across agencies, as `GET /api/v1/registry/households/{kk}` gives it to the same caller (the
// coordinator: any household in scope; an agency: only its approved or delivered households,
// without other agencies' amounts). Every read is audited, as the API's.

extension PagesController {
    struct HouseholdPage {
        struct Member {
            var nik: String
            var name: String
            var birthDate: String
            var relationship: String
        }

        struct Aid {
            var agency: String
            var program: String
            var year: String
            var status: String
            var quantity: String
            var last: String
        }

        var chrome: PageChrome
        var kk: String
        var village: String
        var decile: String
        var source: String
        var members: [Member]
        var aid: [Aid]
    }

    @Sendable func household(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let text = context.parameters.get("kk") ?? ""
        return try await visit(request, context, readOnly: false) { visit in
            guard let kk = try? KK(text),
                let household = try await visit.transaction.registry.household(
                    kk, from: nil, to: nil)
            else { throw APIError.notFound("household") }
            let model = HouseholdPage(
                chrome: try await chrome(visit.transaction, session: visit.session, title: "Keluarga", current: ""),
                kk: household.kk, village: household.village ?? household.regionCode,
                decile: household.decile.map(String.init) ?? "—",
                source: [household.registrySource, household.registryAsOf].compactMap { $0 }.joined(separator: " per "),
                members: household.members.map {
                    HouseholdPage.Member(
                        nik: $0.nik, name: $0.name, birthDate: $0.birthDate, relationship: $0.relationship)
                },
                aid: household.aid.map {
                    HouseholdPage.Aid(
                        agency: $0.agency, program: $0.program, year: String($0.fiscalYear),
                        status: Self.aidStatus($0.status), quantity: String($0.quantity),
                        last: $0.lastDeliveredOn ?? "—")
                })
            return renderer.page("household", model)
        }
    }

    static func aidStatus(_ status: String) -> String {
        switch status {
        case "delivered": "Disalurkan"
        case "approved": "Disetujui"
        case "submitted": "Diajukan"
        default: status
        }
    }
}
