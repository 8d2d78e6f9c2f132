import PQ
import PaduCore
import PaduTestSupport
import Testing

/// The database's NIK rules (`padu.nik_is_valid`, the `padu.nik` domain, and `padu.nik_matches`
/// behind `persons_nik_matches_birth`) answer as PaduCore's `NIK` does. `0101` rewrote both
/// functions so that PostgreSQL inlines them; this keeps the rewrite honest.
@Suite("NIK rules in the database")
struct NIKRulesTests {
    @Test("every DDMMYY of several years is valid in the database exactly when PaduCore's NIK accepts it")
    func validity() async throws {
        let f = try await Fixture.shared("store_registry")
        let rows = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT v, padu.nik_is_valid(v)
                  FROM (SELECT p || lpad(d::text, 2, '0') || lpad(m::text, 2, '0') || y || s AS v
                          FROM generate_series(0, 99) d, generate_series(0, 13) m,
                               unnest(ARRAY['00', '01', '04', '85', '99']) y,
                               unnest(ARRAY['160601', '001601', '160001', '160600']) p,
                               unnest(ARRAY['0001', '0000']) s) n
                """
            ).decode((String, Bool).self)
        }
        #expect(rows.count == 56_000)  // 100 days × 14 months × 5 years × 4 prefixes × 2 serials
        let valid = rows.filter(\.1).count
        #expect(valid > 1000)
        let disagreeing = rows.filter { ((try? NIK($0.0)) != nil) != $0.1 }.map(\.0)
        #expect(disagreeing.isEmpty, "\(disagreeing.prefix(10))")
    }

    @Test("a birth date and sex match the NIK in the database exactly when PaduCore's NIK says so")
    func matching() async throws {
        let f = try await Fixture.shared("store_registry")
        // Every day of 1999 and 2000, each NIK written for a man and for a woman, checked against
        // both sexes.
        let rows = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT n.nik, d::date::text, s.sex, padu.nik_matches(n.nik, d::date, s.sex)
                  FROM generate_series(DATE '1999-01-01', DATE '2000-12-31', interval '1 day') d
                       CROSS JOIN (VALUES ('M'), ('F')) s(sex)
                       CROSS JOIN LATERAL (
                           SELECT '160601' || lpad((extract(day FROM d)::int + w.add)::text, 2, '0')
                                  || to_char(d, 'MMYY') || '0001'
                             FROM (VALUES (0), (40)) w(add)) n(nik)
                """
            ).decode((String, String, String, Bool).self)
        }
        #expect(rows.count == 2_924)  // 731 days × 2 NIKs × 2 sexes
        #expect(rows.filter(\.3).count == 1_462)
        let disagreeing = rows.filter { nik, date, sex, matches in
            guard let number = try? NIK(nik), let birth = CalendarDate(date), let sex = try? Sex(sex) else {
                return true
            }
            return number.isConsistent(withBirthDate: birth, sex: sex) != matches
        }
        #expect(disagreeing.isEmpty, "\(disagreeing.prefix(5).map { ($0.1, $0.2) })")
    }
}
