import Foundation
import Hummingbird
import PaduCore
import PaduStore

/// Aggregates for the regent's office: never personal data; small region cells suppressed.
struct SummaryController: Sendable {
    let services: APIServices

    struct RegionsResponse: Encodable, CSVTable {
        var year: Int
        var scope: String
        var level: String
        var asOf: Date?
        var items: [RegionSummary]

        func sheet() -> SheetDocument {
            SheetDocument(
                header: [
                    "year", "region_code", "region", "registry_households", "households_reached",
                    "decile_1_4_households_reached", "value_delivered_idr",
                ],
                rows: items.map {
                    [
                        .number(String(year)), .text($0.regionCode), .text($0.region),
                        $0.registryHouseholds.map { .number(String($0)) },
                        $0.householdsReached.map { .number(String($0)) },
                        $0.decile1To4HouseholdsReached.map { .number(String($0)) },
                        $0.valueDeliveredIDR.map { .number(String($0)) },
                    ]
                })
        }
    }

    struct RefreshResponse: Encodable {
        var refreshedInMS: Int64
        var asOf: Date?

        enum CodingKeys: String, CodingKey {
            case refreshedInMS = "refreshed_in_ms"
            case asOf
        }
    }

    /// `?level=`: the contract's names for the region levels a breakdown may use (v1.1 adds the
    /// Indonesian names).
    static let levels: [String: RegionCode.Level] = [
        "district": .district, "village": .village, "kecamatan": .district, "desa": .village,
    ]

    /// `?year=` and `?period=`, both optional; a period outside the year is 422. Without a year,
    /// the period's year, else the latest year with data (nil here, resolved by the store).
    static func yearAndPeriod(_ request: Request) throws -> (FiscalYear?, Quarter?) {
        let query = request.uri.queryParameters
        let year = try query.get("year").map { try fiscalYear($0) }
        let period = try query.get("period").map { try quarter($0) }
        if let period, let year, period.year != year.year {
            throw APIError.validation(field: "period", problem: "must be a quarter of \(year.year)")
        }
        if let period, year == nil {
            return (try fiscalYear(String(period.year)), period)
        }
        return (year, period)
    }

    func register(on router: RouteRegistrar) {
        router.get("/api/v1/summary", use: summary)
        router.get("/api/v1/summary/regions", use: regions)
        router.post("/api/v1/summary/refresh", use: refresh)
    }

    @Sendable func summary(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Summary> {
        let (year, period) = try Self.yearAndPeriod(request)
        return try await services.readTransaction(request, context, roles: .summaryReaders) {
            transaction in
            JSONResponse(try await transaction.summary.summary(year: year, period: period))
        }
    }

    @Sendable func regions(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<RegionsResponse>
    {
        let query = request.uri.queryParameters
        let chosenYear = try query.get("year").map { try fiscalYear($0) }
        let levelName = query.get("level") ?? "district"
        guard let level = Self.levels[levelName] else {
            throw APIError.validation(field: "level", problem: "must be district, village, kecamatan or desa")
        }
        return try await services.readTransaction(request, context, roles: .summaryReaders) {
            transaction in
            var year = chosenYear
            if year == nil { year = try await transaction.summary.latestYear() }
            guard let year else { throw APIError.notFound() }
            let (items, asOf) = try await transaction.summary.regions(year: year, level: level)
            return JSONResponse(
                RegionsResponse(
                    year: year.year, scope: transaction.caller.scope, level: levelName, asOf: asOf, items: items))
        }
    }

    @Sendable func refresh(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<RefreshResponse>
    {
        try await services.transaction(request, context, readOnly: false, roles: [.admin]) { transaction in
            let elapsed = try await transaction.summary.refresh()
            return JSONResponse(RefreshResponse(refreshedInMS: elapsed, asOf: try await transaction.summary.asOf()))
        }
    }
}

extension Summary: CSVTable {
    func sheet() -> SheetDocument {
        SheetDocument(
            header: [
                "year", "scope", "agency_id", "agency_code", "agency", "allocated_idr", "realized_idr",
                "realization_rate", "persons_reached", "households_reached", "deliveries",
            ],
            rows: byAgency.map {
                [
                    .number(String(year)), .text(scope), .number(String($0.agencyID)), .text($0.agencyCode),
                    .text($0.agency), .number(String($0.allocatedIDR)), .number(String($0.realizedIDR)),
                    $0.realizationRate.map { .number(String($0)) }, .number(String($0.personsReached)),
                    .number(String($0.householdsReached)), .number(String($0.deliveries)),
                ]
            })
    }
}
