import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// Quarterly progress reports and reporting periods.
@Suite("Progress reports and periods over HTTP", .serialized)
struct ReportTests {
    @Test("a report is created as a draft (201), replaced (200), then submitted")
    func draftThenSubmit() async throws {
        let api = try await TestAPI.start("report_put")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let path = "/api/v1/programs/\(api.programs["BEDAH-RUMAH"]!)/reports/2019-Q2"
        let draft = try await api.put(
            path, as: token, ["target_quantity": 7, "achieved_quantity": 3, "narrative": "Tiga rumah selesai"])
        #expect(draft.status == 201)
        let report = try draft.decode(ProgressReport.self)
        #expect(report.status == .draft)
        #expect(report.period.description == "2019-Q2")
        #expect(report.programID == api.programs["BEDAH-RUMAH"])
        #expect(report.agencyID == api.agencies["BAZNAS"])
        #expect(report.submittedAt == nil)
        let replaced = try await api.put(path, as: token, ["target_quantity": 7, "achieved_quantity": 5])
        #expect(replaced.status == 200)
        #expect(try replaced.decode(ProgressReport.self).achievedQuantity == 5)
        let submitted = try await api.put(
            path, as: token,
            ["target_quantity": 7, "achieved_quantity": 7, "narrative": "Selesai", "status": "submitted"])
        #expect(submitted.status == 200)
        let submittedReport = try submitted.decode(ProgressReport.self)
        #expect(submittedReport.status == .submitted)
        #expect(submittedReport.submittedAt != nil)
        // A submitted report of an open period may still be corrected.
        let corrected = try await api.put(
            path, as: token, ["target_quantity": 7, "achieved_quantity": 6, "status": "submitted"])
        #expect(corrected.status == 200)
        #expect(try corrected.decode(ProgressReport.self).achievedQuantity == 6)
        #expect(
            try await api.scalar(
                "SELECT count(*) FROM padu.progress_reports WHERE period = '2019-Q2' AND status = 'submitted'") == 1)
    }

    @Test("a submitted report of a closed period cannot change: 409, and the row stays")
    func closedPeriodFrozen() async throws {
        let api = try await TestAPI.start("report_closed")
        defer { api.stop() }
        let admin = try await api.login("admin")
        let dinsos = try await api.login("dinsos")
        let bstbk = api.programs["BSTBK"]!
        let path = "/api/v1/programs/\(bstbk)/reports/2018-Q4"
        let open = try await api.put("/api/v1/periods/2018-Q4", as: admin, ["status": "open"])
        #expect(open.status == 200)
        let opened = try open.decode(ReportingPeriod.self)
        #expect(opened.status == .open)
        #expect(opened.closedAt == nil)
        let submitted = try await api.put(
            path, as: dinsos,
            ["target_quantity": 1200, "achieved_quantity": 1200, "narrative": "Tuntas", "status": "submitted"])
        #expect(submitted.status == 201)
        let closed = try await api.put("/api/v1/periods/2018-Q4", as: admin, ["status": "closed"])
        #expect(closed.status == 200)
        let closedPeriod = try closed.decode(ReportingPeriod.self)
        #expect(closedPeriod.status == .closed)
        #expect(closedPeriod.closedAt != nil)
        for body in [
            ["target_quantity": 1200, "achieved_quantity": 900, "status": "submitted"],
            ["target_quantity": 1200, "achieved_quantity": 1200, "status": "draft"],
        ] as [[String: Any]] {
            let change = try await api.put(path, as: dinsos, body)
            #expect(change.status == 409)
            #expect(change.isEnvelope("conflict"))
        }
        #expect(
            try await api.scalar(
                "SELECT achieved_quantity FROM padu.progress_reports WHERE program_id = \(bstbk) AND period = '2018-Q4' AND status = 'submitted'"
            ) == 1200)
    }

    @Test("the executive sees every report of the period and the agencies that have not submitted")
    func executiveSeesMissing() async throws {
        let api = try await TestAPI.start("report_missing")
        defer { api.stop() }
        let bupati = try await api.login("bupati")
        let names = [
            "BAZNAS": "Badan Amil Zakat Nasional Kabupaten Musi Banyuasin", "BPJS": "BPJS Kesehatan Cabang",
            "DINKES": "Dinas Kesehatan Kabupaten Musi Banyuasin", "DINSOS": "Dinas Sosial Kabupaten Musi Banyuasin",
        ]
        let before = try await api.get("/api/v1/reports?period=2019-Q2", as: bupati)
        #expect(before.status == 200)
        let listingBefore = try before.decode(ReportListing.self)
        #expect(listingBefore.period.description == "2019-Q2")
        #expect(listingBefore.items.isEmpty)
        #expect(Set(listingBefore.missing ?? []) == Set(names.values))
        // BAZNAS submits; DINKES only drafts, which does not count.
        let baznas = try await api.login("baznas")
        let submitted = try await api.put(
            "/api/v1/programs/\(api.programs["BEDAH-RUMAH"]!)/reports/2019-Q2", as: baznas,
            ["target_quantity": 7, "achieved_quantity": 7, "status": "submitted"])
        #expect(submitted.status == 201)
        let dinkes = try await api.login("dinkes")
        let drafted = try await api.put(
            "/api/v1/programs/\(api.programs["PMT-BALITA"]!)/reports/2019-Q2", as: dinkes, ["target_quantity": 100])
        #expect(drafted.status == 201)
        let after = try await api.get("/api/v1/reports?period=2019-Q2", as: bupati).decode(ReportListing.self)
        #expect(after.items.count == 2)
        #expect(Set(after.missing ?? []) == [names["BPJS"]!, names["DINKES"]!, names["DINSOS"]!])
        // Another period is unaffected.
        let other = try await api.get("/api/v1/reports?period=2019-Q3", as: bupati)
        #expect(Set(try other.decode(ReportListing.self).missing ?? []) == Set(names.values))
    }

    @Test("an agency lists only its own reports, without the overview of others; the coordinator its cluster's")
    func agencySeesOwn() async throws {
        let api = try await TestAPI.start("report_own")
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let dinkes = try await api.login("dinkes")
        _ = try await api.put(
            "/api/v1/programs/\(api.programs["BEDAH-RUMAH"]!)/reports/2019-Q1", as: baznas,
            ["achieved_quantity": 2, "status": "submitted"])
        _ = try await api.put(
            "/api/v1/programs/\(api.programs["PMT-BALITA"]!)/reports/2019-Q1", as: dinkes,
            ["achieved_quantity": 50, "status": "submitted"])
        let own = try await api.get("/api/v1/reports?period=2019-Q1", as: baznas)
        #expect(own.status == 200)
        let ownListing = try own.decode(ReportListing.self)
        #expect(ownListing.items.map { $0.agencyID as Int64? } == [api.agencies["BAZNAS"]])
        #expect(ownListing.missing == nil)
        // The coordinator (v1.1) reads the reports of its cluster's programmes: both are Klaster 1's.
        let coordinator = try await api.get("/api/v1/reports?period=2019-Q1", as: try await api.login("dinsos"))
        #expect(coordinator.status == 200)
        #expect(
            Set(try coordinator.decode(ReportListing.self).items.map(\.agencyID))
                == [api.agencies["BAZNAS"]!, api.agencies["DINKES"]!])
    }

    @Test("another agency's programme report is 404, and nothing is written")
    func foreignReport() async throws {
        let api = try await TestAPI.start("report_foreign")
        defer { api.stop() }
        let result = try await api.put(
            "/api/v1/programs/\(api.programs["BSTBK"]!)/reports/2019-Q2", as: try await api.login("baznas"),
            ["achieved_quantity": 1, "status": "submitted"])
        #expect(result.status == 404)
        #expect(result.isEnvelope("not_found"))
        #expect(try await api.scalar("SELECT count(*) FROM padu.progress_reports") == 0)
    }

    @Test("the executive and the admin do not write reports; only the admin opens and closes periods")
    func roles() async throws {
        let api = try await TestAPI.start("report_roles")
        defer { api.stop() }
        let path = "/api/v1/programs/\(api.programs["BSTBK"]!)/reports/2019-Q2"
        for name in ["bupati", "admin"] {
            let result = try await api.put(path, as: try await api.login(name), ["achieved_quantity": 1])
            #expect(result.status == 403, "\(name)")
            #expect(result.isEnvelope("forbidden"), "\(name)")
        }
        for name in ["bupati", "dinsos", "baznas"] {
            let result = try await api.put(
                "/api/v1/periods/2019-Q1", as: try await api.login(name), ["status": "closed"])
            #expect(result.status == 403, "\(name)")
            #expect(result.isEnvelope("forbidden"), "\(name)")
        }
        #expect(try await api.text("SELECT status FROM padu.reporting_periods WHERE period = '2019-Q1'") == "open")
        #expect(try await api.scalar("SELECT count(*) FROM padu.progress_reports") == 0)
    }

    @Test("periods are listed with their status; the admin closes one")
    func periods() async throws {
        let api = try await TestAPI.start("report_periods")
        defer { api.stop() }
        let list = try await api.get("/api/v1/periods", as: try await api.login("baznas"))
        #expect(list.status == 200)
        let status = Dictionary(
            uniqueKeysWithValues: try list.page(of: ReportingPeriod.self).items.map {
                ($0.period.description, $0.status.rawValue)
            })
        #expect(status["2018-Q4"] == "closed")
        #expect(status["2018-Q1"] == "closed")
        #expect(status["2019-Q1"] == "open")
        #expect(status["2019-Q4"] == "open")
        let admin = try await api.login("admin")
        let closed = try await api.put("/api/v1/periods/2019-Q1", as: admin, ["status": "closed"])
        #expect(closed.status == 200)
        #expect(try closed.decode(ReportingPeriod.self).period.description == "2019-Q1")
        #expect(try await api.text("SELECT status FROM padu.reporting_periods WHERE period = '2019-Q1'") == "closed")
        let created = try await api.put("/api/v1/periods/2020-Q1", as: admin, ["status": "open"])
        #expect(created.status == 200)
        #expect(try await api.scalar("SELECT count(*) FROM padu.reporting_periods WHERE period = '2020-Q1'") == 1)
    }

    @Test("bad reports and periods are 422 naming every bad field")
    func validation() async throws {
        let api = try await TestAPI.start("report_invalid")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let program = api.programs["BEDAH-RUMAH"]!
        let bad = try await api.put(
            "/api/v1/programs/\(program)/reports/2019-Q2", as: token,
            [
                "target_quantity": -1, "achieved_quantity": -2, "status": "final",
                "narrative": String(repeating: "n", count: 10_001),
            ])
        #expect(bad.status == 422)
        #expect(Set(bad.errorFields) == ["target_quantity", "achieved_quantity", "status", "narrative"])
        for period in ["2019-Q5", "2019Q2", "Q2-2019"] {
            let result = try await api.put(
                "/api/v1/programs/\(program)/reports/\(period)", as: token, ["achieved_quantity": 1])
            #expect(result.status == 422, "\(period)")
            #expect(result.errorFields == ["period"], "\(period)")
        }
        let noPeriod = try await api.get("/api/v1/reports", as: token)
        #expect(noPeriod.status == 422)
        #expect(noPeriod.errorFields == ["period"])
        let admin = try await api.login("admin")
        let badStatus = try await api.put("/api/v1/periods/2019-Q2", as: admin, ["status": "archived"])
        #expect(badStatus.status == 422)
        #expect(badStatus.errorFields == ["status"])
        let badPeriod = try await api.put("/api/v1/periods/2019-13", as: admin, ["status": "open"])
        #expect(badPeriod.status == 422)
        #expect(badPeriod.errorFields == ["period"])
        #expect(try await api.scalar("SELECT count(*) FROM padu.progress_reports") == 0)
    }
}
