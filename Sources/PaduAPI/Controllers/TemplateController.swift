import Foundation
import Hummingbird
import PaduStore

/// `GET /api/v1/templates/{recipients|deliveries|registry}.xlsx`: a workbook with the header row
/// that the spreadsheet uploads read and one example row of clearly fake identifiers. The
/// identifier, code and date columns are formatted as Text, so Excel keeps every digit typed.
struct TemplateController: Sendable {
    let services: APIServices

    func register(on router: RouteRegistrar) {
        router.get("/api/v1/templates/:name", use: template)
    }

    /// The templates by file name; the example NIK and KK end in 9999 and the name says it
    /// is an example.
    static let templates: [String: SheetDocument] = [
        "recipients.xlsx": SheetDocument(
            header: ["nik", "kk", "name", "planned_value_idr", "planned_quantity"],
            rows: [
                [.text("1606010101909999"), nil, .text("CONTOH - hapus baris ini"), .number("600000"), .number("1")]
            ],
            textColumns: [0, 1]),
        "deliveries.xlsx": SheetDocument(
            header: ["nik", "kk", "delivered_on", "quantity", "value_idr"],
            rows: [[.text("1606010101909999"), nil, .text("2026-01-15"), .number("1"), .number("600000")]],
            textColumns: [0, 1, 2]),
        "registry.xlsx": SheetDocument(
            header: RegistryImportValidator.csvColumns,
            rows: [
                [
                    .text("1606010000009999"), .text("16.06.01.2001"), .text("CONTOH - Jl. Contoh No. 1"), .number("1"),
                    .text("1606010101909999"), .text("CONTOH - hapus baris ini"), .text("1990-01-01"), .text("M"),
                    .text("head"),
                ]
            ],
            textColumns: [0, 1, 4, 6]),
    ]

    @Sendable func template(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        let name = context.parameters.get("name") ?? ""
        // Any signed-in role: the transaction authenticates the token.
        return try await services.transaction(request, context, readOnly: true) { _ in
            guard let document = Self.templates[name] else { throw APIError.notFound("template") }
            return RawResponse(
                status: .ok, contentType: XLSX.mediaType, bytes: try document.xlsx(sheetName: "Template"))
        }
    }
}
