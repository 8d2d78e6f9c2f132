import Foundation
import PQ
import PaduTestSupport
import Testing

// Small helpers shared by the HTTP suites: more verbs, direct SQL counts, JSON numbers,
// and registry data that passes every structural check (valid NIK and KK for real places).

extension TestAPI {
    func put(_ path: String, as token: String?, _ json: Any, headers: [(String, String)] = []) async throws
        -> HTTPResult
    {
        try await request("PUT", path, token: token, json: json, headers: headers)
    }

    func patch(_ path: String, as token: String?, _ json: Any, headers: [(String, String)] = []) async throws
        -> HTTPResult
    {
        try await request("PATCH", path, token: token, json: json, headers: headers)
    }

    /// POSTs exactly these JSON bytes (a retry must resend the same bytes: a dictionary
    /// serialised twice may come out with its keys in another order).
    func post(_ path: String, as token: String?, bytes: [UInt8], headers: [(String, String)] = []) async throws
        -> HTTPResult
    {
        try await request("POST", path, token: token, body: bytes, contentType: "application/json", headers: headers)
    }

    /// One integer from a query run as the superuser (counts, ids).
    func scalar(_ query: PQQuery) async throws -> Int64 {
        try await database.withAdmin { connection in
            try await connection.query(query).first(Int64.self) ?? 0
        }
    }

    /// One text value from a query run as the superuser.
    func text(_ query: PQQuery) async throws -> String? {
        try await database.withAdmin { connection in
            try await connection.query(query).first(String?.self) ?? nil
        }
    }

    /// The id of an account by username.
    func accountID(_ username: String) async throws -> Int64 {
        try await scalar("SELECT id FROM padu.accounts WHERE username = \(username)")
    }

    /// Tokens for several users at once.
    func tokens(_ usernames: String...) async throws -> [String: String] {
        var tokens: [String: String] = [:]
        for name in usernames { tokens[name] = try await login(name) }
        return tokens
    }
}

/// A JSON body as bytes, with sorted keys so the same value always gives the same bytes.
func jsonBytes(_ value: Any) throws -> [UInt8] {
    Array(try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]))
}

/// Registry households with structurally valid numbers. NIK and KK serials stay below 9000,
/// the range the demo's synthetic registry uses, so they never collide with seeded people.
enum RegistryData {
    struct Member {
        var nik: String
        var name: String
        var birthDate: String
        var sex: String
        var relationship: String
    }

    struct Household {
        var kk: String
        var regionCode: String
        var address: String
        var decile: Int
        var members: [Member]
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static let men = [
        "Ahmad Fauzi", "Budi Santoso", "Cahyo Nugroho", "Dedi Kurniawan", "Eko Prasetyo", "Fajar Hidayat",
        "Gunawan Saputra", "Hendra Wijaya", "Irwan Syahputra", "Joko Susilo", "Lukman Hakim", "Rizal Ramli",
    ]
    static let women = [
        "Ani Lestari", "Bunga Citra", "Citra Dewi", "Dewi Sartika", "Endang Wahyuni", "Fitri Handayani",
        "Gita Permata", "Hana Pertiwi", "Indah Sari", "Juwita Maharani", "Kartini Putri", "Lina Marlina",
    ]

    /// `count` households in `village`, each a head (man born 15 March 1980) and a spouse
    /// (woman born 15 March 1982), numbered from `firstSerial`.
    static func households(_ count: Int, village: String = "16.06.01.2001", firstSerial: Int = 1) -> [Household] {
        let district = String(village.prefix(8)).replacingOccurrences(of: ".", with: "")
        return (0..<count).map { index in
            let serial = pad(firstSerial + index, 4)
            return Household(
                kk: district + "010119" + serial, regionCode: village,
                address: "Dusun \(index + 1) RT 00\(index % 9 + 1)",
                decile: index % 10 + 1,
                members: [
                    Member(
                        nik: district + "150380" + serial, name: men[index % men.count], birthDate: "1980-03-15",
                        sex: "M", relationship: "head"),
                    Member(
                        nik: district + "550382" + serial, name: women[index % women.count], birthDate: "1982-03-15",
                        sex: "F", relationship: "spouse"),
                ])
        }
    }

    static func json(_ households: [Household], source: String = "DTKS", asOf: String = "2019-01-31") -> [String: Any] {
        [
            "source": source, "as_of": asOf,
            "households": households.map { household in
                [
                    "kk": household.kk, "region_code": household.regionCode, "address": household.address,
                    "decile": household.decile,
                    "members": household.members.map { member in
                        [
                            "nik": member.nik, "name": member.name, "birth_date": member.birthDate, "sex": member.sex,
                            "relationship": member.relationship,
                        ]
                    },
                ] as [String: Any]
            },
        ]
    }

    static let csvHeader = "kk,region_code,address,decile,nik,name,birth_date,sex,relationship"

    static func csvRows(_ households: [Household]) -> [String] {
        households.flatMap { household in
            household.members.map { member in
                [
                    household.kk, household.regionCode, household.address, String(household.decile), member.nik,
                    member.name, member.birthDate, member.sex, member.relationship,
                ].joined(separator: ",")
            }
        }
    }

    static func csv(_ households: [Household]) -> [UInt8] {
        Array(([csvHeader] + csvRows(households)).joined(separator: "\r\n").utf8)
    }
}

/// Unicode and SQL-looking text that must travel through the API untouched.
enum HostileText {
    static let sqlInjection = "Robert'); DROP TABLE padu.programs;--"
    static let unicode = "Bantuan Désa 🌾 قرية"
}
