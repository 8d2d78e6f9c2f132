import Foundation
import Hummingbird
import PaduCore
import PaduStore

/// Regions, agencies and clusters: every role reads them; the admin adds agencies.
struct ReferenceController: Sendable {
    let services: APIServices

    struct AgencyBody: Decodable {
        var code: String?
        var name: String?
        var kind: String?
        var regionCode: String?

        func newAgency() throws -> ReferenceStore.NewAgency {
            var problems = Problems()
            if let code = problems.require(code, "code"),
                code.range(of: #"^[A-Z0-9][A-Z0-9_-]{1,39}$"#, options: .regularExpression) == nil
            {
                problems.add("code", "must be 2-40 capital letters, digits, '_' or '-'")
            }
            let name = problems.text(problems.require(name, "name"), "name", max: 200)
            let kind = problems.choice(problems.require(kind, "kind"), "kind", as: AgencyKind.self)
            let region = problems.check("region_code", problems.require(regionCode, "region_code")) {
                try RegionCode($0)
            }
            guard let code, let name, let kind, let region, problems.isEmpty else { throw problems.failure }
            return ReferenceStore.NewAgency(code: code, name: name, kind: kind, regionCode: region)
        }
    }

    func register(on router: RouteRegistrar) {
        router.get("/api/v1/regions", use: regions)
        router.get("/api/v1/regions/:code", use: region)
        router.get("/api/v1/agencies", use: agencies)
        router.get("/api/v1/agencies/:id", use: agency)
        router.post("/api/v1/agencies", use: createAgency)
        router.get("/api/v1/clusters", use: clusters)
    }

    @Sendable func regions(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<Page<ReferenceStore.Region>>
    {
        var problems = Problems()
        let parent = problems.check("parent", request.uri.queryParameters.get("parent")) { try RegionCode($0) }
        try problems.throwIfAny()
        return try await services.transaction(request, context, readOnly: true) { transaction in
            JSONResponse(Page(items: try await transaction.reference.regions(parent: parent), nextCursor: nil))
        }
    }

    @Sendable func region(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<ReferenceStore.Region>
    {
        guard let code = try? RegionCode(context.parameters.get("code") ?? "") else {
            throw APIError.notFound("region")
        }
        return try await services.transaction(request, context, readOnly: true) { transaction in
            guard let region = try await transaction.reference.region(code) else { throw APIError.notFound("region") }
            return JSONResponse(region)
        }
    }

    @Sendable func agencies(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<Page<ReferenceStore.Agency>>
    {
        try await services.transaction(request, context, readOnly: true) { transaction in
            JSONResponse(Page(items: try await transaction.reference.agencies(), nextCursor: nil))
        }
    }

    @Sendable func agency(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<ReferenceStore.Agency>
    {
        let id = try context.parameters.id("id")
        return try await services.transaction(request, context, readOnly: true) { transaction in
            guard let agency = try await transaction.reference.agency(id) else { throw APIError.notFound("agency") }
            return JSONResponse(agency)
        }
    }

    @Sendable func createAgency(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: [.admin]) { transaction in
            let (body, bytes) = try await request.decodeJSON(AgencyBody.self, context: context)
            let agency = try body.newAgency()
            return try await services.idempotent(request, body: bytes, in: transaction) {
                try encodeJSON(try await transaction.reference.createAgency(agency), status: .created)
            }
        }
    }

    @Sendable func clusters(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<Page<ReferenceStore.Cluster>>
    {
        try await services.transaction(request, context, readOnly: true) { transaction in
            JSONResponse(Page(items: try await transaction.reference.clusters(), nextCursor: nil))
        }
    }
}
