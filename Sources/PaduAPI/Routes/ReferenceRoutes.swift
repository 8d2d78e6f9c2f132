import Foundation
import Hummingbird
import PQ
import PaduCore
import PaduStore

struct AgencyRequest: Decodable {
    var code: String?
    var name: String?
    var kind: String?
    var regionCode: String?
}

let agencyKinds = ["dinas", "badan", "secretariat", "hospital", "vertical", "non_government", "kecamatan", "other"]

extension APIRoutes {
    func addReferenceRoutes(to router: RouteRegistrar) {
        let services = self.services
        router.get("/api/v1/regions") { request, context -> JSONResponse<Page<ReferenceStore.Region>> in
            var problems = Problems()
            let parent = problems.check("parent", request.uri.queryParameters.get("parent")) { try RegionCode($0) }
            try problems.throwIfAny()
            return try await services.session(request, context, readOnly: true) { _, connection in
                JSONResponse(
                    Page(
                        items: try await ReferenceStore.regions(parent: parent?.value, on: connection), nextCursor: nil)
                )
            }
        }
        router.get("/api/v1/regions/:code") { request, context -> JSONResponse<ReferenceStore.Region> in
            guard let code = try? RegionCode(context.parameters.get("code") ?? "") else {
                throw APIError.notFound("region")
            }
            return try await services.session(request, context, readOnly: true) { _, connection in
                guard let region = try await ReferenceStore.region(code.value, on: connection) else {
                    throw APIError.notFound("region")
                }
                return JSONResponse(region)
            }
        }
        router.get("/api/v1/agencies") { request, context -> JSONResponse<Page<ReferenceStore.Agency>> in
            try await services.session(request, context, readOnly: true) { _, connection in
                JSONResponse(Page(items: try await ReferenceStore.agencies(on: connection), nextCursor: nil))
            }
        }
        router.get("/api/v1/agencies/:id") { request, context -> JSONResponse<ReferenceStore.Agency> in
            let id = try context.parameters.id("id")
            return try await services.session(request, context, readOnly: true) { _, connection in
                guard let agency = try await ReferenceStore.agency(id, on: connection) else {
                    throw APIError.notFound("agency")
                }
                return JSONResponse(agency)
            }
        }
        router.post("/api/v1/agencies") { request, context -> RawResponse in
            var request = request
            let (body, bytes) = try await request.decodeJSON(AgencyRequest.self, context: context)
            var problems = Problems()
            if let code = problems.require(body.code, "code"),
                code.range(of: #"^[A-Z0-9][A-Z0-9_-]{1,39}$"#, options: .regularExpression) == nil
            {
                problems.add("code", "must be 2-40 capital letters, digits, '_' or '-'")
            }
            problems.text(problems.require(body.name, "name"), "name", max: 200)
            problems.oneOf(problems.require(body.kind, "kind"), agencyKinds, "kind")
            let region = problems.check("region_code", problems.require(body.regionCode, "region_code")) {
                try RegionCode($0)
            }
            try problems.throwIfAny()
            return try await services.session(request, context, readOnly: false, roles: [.admin]) { _, connection in
                try await services.idempotent(request, body: bytes, on: connection) {
                    let agency = try await ReferenceStore.createAgency(
                        code: body.code!, name: body.name!, kind: body.kind!, regionCode: region!.value, on: connection)
                    return try encodeJSON(agency, status: .created)
                }
            }
        }
        router.get("/api/v1/clusters") { request, context -> JSONResponse<Page<ReferenceStore.Cluster>> in
            try await services.session(request, context, readOnly: true) { _, connection in
                JSONResponse(Page(items: try await ReferenceStore.clusters(on: connection), nextCursor: nil))
            }
        }
    }
}
