import Foundation
import Hummingbird
import PQ
import PaduCore
import PaduStore

struct RegionsResponse: Encodable, CSVTable {
    var year: Int
    var scope: String
    var level: String
    var asOf: Date?
    var items: [RegionSummary]

    func csv() -> String { SummaryQueries.regionsCSV(items, year: year) }
}

extension Summary: CSVTable {
    func csv() -> String { SummaryQueries.summaryCSV(self) }
}

struct RefreshResponse: Encodable {
    var refreshedInMS: Int64
    var asOf: Date?

    enum CodingKeys: String, CodingKey {
        case refreshedInMS = "refreshed_in_ms"
        case asOf
    }
}

/// Aggregates for the regent's office: never personal data; small region cells suppressed.
enum SummaryQueries {
    /// The current quarter's period, for "who has not reported".
    static func period(for year: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
        let now = calendar.dateComponents([.year, .month], from: Date())
        if now.year == year, let month = now.month { return "\(year)-Q\((month - 1) / 3 + 1)" }
        return "\(year)-Q4"
    }

    static func summary(year: Int, on connection: PQConnection) async throws -> Summary {
        let json = try await SummaryStore.summary(year: year, period: period(for: year), on: connection)
        return try decodeJSONBytes(Summary.self, Array(json.utf8))
    }

    static func regions(year: Int, level: Int, on connection: PQConnection) async throws
        -> (items: [RegionSummary], asOf: Date?)
    {
        let (rows, asOf) = try await SummaryStore.regions(year: year, level: level, on: connection)
        let items = rows.map {
            RegionSummary(
                regionCode: $0.code, region: $0.name, registryHouseholds: $0.registryHouseholds,
                householdsReached: $0.householdsReached, decile1To4HouseholdsReached: $0.decile1To4Reached,
                valueDeliveredIDR: $0.valueDeliveredIDR)
        }
        return (items, asOf)
    }

    static func summaryCSV(_ summary: Summary) -> String {
        CSV.document(
            header: [
                "year", "scope", "agency_id", "agency_code", "agency", "allocated_idr", "realized_idr",
                "realization_rate",
                "persons_reached", "households_reached", "deliveries",
            ],
            rows: summary.byAgency.map {
                [
                    String(summary.year), summary.scope, String($0.agencyID), $0.agencyCode, $0.agency,
                    String($0.allocatedIDR), String($0.realizedIDR), $0.realizationRate.map { String($0) },
                    String($0.personsReached), String($0.householdsReached), String($0.deliveries),
                ]
            })
    }

    static func regionsCSV(_ items: [RegionSummary], year: Int) -> String {
        CSV.document(
            header: [
                "year", "region_code", "region", "registry_households", "households_reached",
                "decile_1_4_households_reached", "value_delivered_idr",
            ],
            rows: items.map {
                [
                    String(year), $0.regionCode, $0.region, $0.registryHouseholds.map(String.init),
                    $0.householdsReached.map(String.init), $0.decile1To4HouseholdsReached.map(String.init),
                    $0.valueDeliveredIDR.map(String.init),
                ]
            })
    }
}

extension APIRoutes {
    func addSummaryRoutes(to router: RouteRegistrar) {
        let services = self.services
        router.get("/api/v1/summary") { request, context -> JSONResponse<Summary> in
            let year = try fiscalYear(request.uri.queryParameters.get("year"))
            return try await services.session(request, context, readOnly: true, roles: .summaryReaders) {
                _, connection in
                JSONResponse(try await SummaryQueries.summary(year: year, on: connection))
            }
        }
        router.get("/api/v1/summary/regions") { request, context -> JSONResponse<RegionsResponse> in
            let query = request.uri.queryParameters
            let year = try fiscalYear(query.get("year"))
            let levelName = query.get("level") ?? "district"
            guard let level = ["district": 3, "village": 4][levelName] else {
                throw APIError.validation(field: "level", problem: "must be district or village")
            }
            return try await services.session(request, context, readOnly: true, roles: .summaryReaders) {
                caller, connection in
                let (items, asOf) = try await SummaryQueries.regions(year: year, level: level, on: connection)
                return JSONResponse(
                    RegionsResponse(year: year, scope: caller.scope, level: levelName, asOf: asOf, items: items))
            }
        }
        router.post("/api/v1/summary/refresh") { request, context -> JSONResponse<RefreshResponse> in
            try await services.session(request, context, readOnly: false, roles: [.admin]) { _, connection in
                let elapsed = try await SummaryStore.refresh(on: connection)
                return JSONResponse(
                    RefreshResponse(refreshedInMS: elapsed, asOf: try await SummaryStore.asOf(on: connection))
                )
            }
        }
    }
}
