import Foundation
import Testing

@testable import PaduStore

/// Each `PD` code is declared once in `DatabaseRule`, beside the SQL that raises it.
@Suite("Database rules")
struct DatabaseRuleTests {
    /// Every `ERRCODE = 'PD…'` in the shipped migrations, with the files that raise it.
    static func raisedCodes() throws -> [String: Set<String>] {
        let pattern = try Regex(#"ERRCODE\s*=\s*'(PD[0-9A-Z]{3})'"#)
        var codes: [String: Set<String>] = [:]
        for (name, sql) in try PaduResources.migrations() {
            for match in sql.matches(of: pattern) {
                guard let code = match.output[1].substring else { continue }
                codes[String(code), default: []].insert(name)
            }
        }
        return codes
    }

    @Test("every PD code the SQL raises has a DatabaseRule, and every DatabaseRule is raised by the SQL")
    func codesAgree() throws {
        let raised = try Self.raisedCodes()
        #expect(!raised.isEmpty, "the migrations were read")
        let declared = Set(DatabaseRule.allCases.map(\.rawValue))
        #expect(Set(raised.keys).subtracting(declared).isEmpty, "raised in SQL but not declared")
        #expect(declared.subtracting(raised.keys).isEmpty, "declared but raised nowhere")
    }

    @Test("each rule is raised by the migrations its declaration names")
    func declarationsNameTheirSQL() throws {
        let raised = try Self.raisedCodes()
        let named: [DatabaseRule: Set<String>] = [
            .overBudgetNeedsReason: ["0005", "0018", "0045"], .deliveryNeedsApprovedLine: ["0006", "0055"],
            .closedPeriodReportFrozen: ["0005", "0018"], .auditAppendOnly: ["0007"],
            .planState: ["0006", "0014", "0017", "0036", "0090", "0091"], .recipientIDsMismatch: ["0014", "0096"],
            .deliveryExceedsPlanLine: ["0019", "0045", "0055"],
            .checkQuotaExhausted: ["0030"],
            .programmeNotFound: ["0010", "0012", "0033", "0036", "0081", "0087", "0093", "0094", "0103", "0107"],
            .flagsNotAcknowledged: ["0036"], .scopeOutsideDeployment: ["0090"],
        ]
        #expect(Set(named.keys) == Set(DatabaseRule.allCases))
        for rule in DatabaseRule.allCases {
            let files = Set((raised[rule.rawValue] ?? []).map { String($0.prefix(4)) })
            #expect(files == named[rule], "\(rule)")
        }
    }

    @Test("codes are distinct and shaped like PostgreSQL's five-character SQLSTATE")
    func codeShape() {
        let codes = DatabaseRule.allCases.map(\.rawValue)
        #expect(Set(codes).count == codes.count)
        #expect(codes.allSatisfy { $0.count == 5 && $0.hasPrefix("PD") })
    }
}
