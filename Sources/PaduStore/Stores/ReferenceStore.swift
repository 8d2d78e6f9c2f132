import Foundation
import PQ
import PaduCore

/// Regions, agencies and clusters: reference data every role reads.
public struct ReferenceStore: Sendable {
    let connection: PQConnection

    public struct Region: Codable, Sendable, Equatable {
        public var code: String
        public var name: String
        public var level: Int
        public var parentCode: String?
    }

    public struct Agency: Codable, Sendable, Equatable {
        public var id: Int64
        public var code: String
        public var name: String
        public var shortName: String?
        public var kind: AgencyKind
        public var regionCode: String
    }

    /// A new agency, validated.
    public struct NewAgency: Sendable {
        public var code: String
        public var name: String
        public var kind: AgencyKind
        public var regionCode: RegionCode

        public init(code: String, name: String, kind: AgencyKind, regionCode: RegionCode) {
            self.code = code
            self.name = name
            self.kind = kind
            self.regionCode = regionCode
        }
    }

    public struct ClusterMember: Codable, Sendable, Equatable {
        public var agencyID: Int64
        public var code: String
        public var name: String
        public var role: String
    }

    public struct Cluster: Codable, Sendable, Equatable {
        public var id: Int
        public var name: String
        public var coordinatorAgencyID: Int64?
        public var members: [ClusterMember]
    }

    static let regionColumns: PQFragment =
        "code::text AS code, name, level::int4 AS level, parent_code::text AS parent_code"
    static let agencyColumns: PQFragment = "id, code, name, short_name, kind, region_code::text AS region_code"

    public func region(_ code: RegionCode) async throws -> Region? {
        try await connection.query("SELECT \(Self.regionColumns) FROM padu.regions WHERE code = \(code.value)")
            .decode(as: Region.self).first
    }

    /// Children of `parent`, or the provinces when nil.
    public func regions(parent: RegionCode?) async throws -> [Region] {
        let parent = parent?.value
        return try await connection.query(
            """
            SELECT \(Self.regionColumns) FROM padu.regions
             WHERE (\(parent) IS NULL AND parent_code IS NULL) OR parent_code = \(parent) ORDER BY code
            """
        ).decode(as: Region.self)
    }

    public func agencies() async throws -> [Agency] {
        try await connection.query("SELECT \(Self.agencyColumns) FROM padu.agencies ORDER BY code")
            .decode(as: Agency.self)
    }

    public func agency(_ id: Int64) async throws -> Agency? {
        try await connection.query("SELECT \(Self.agencyColumns) FROM padu.agencies WHERE id = \(id)")
            .decode(as: Agency.self).first
    }

    public func createAgency(_ agency: NewAgency) async throws -> Agency {
        try await connection.query(
            """
            INSERT INTO padu.agencies (code, name, kind, region_code)
            VALUES (\(agency.code), \(agency.name), \(agency.kind.rawValue), \(agency.regionCode.value))
            RETURNING \(Self.agencyColumns)
            """
        )[0].decode(as: Agency.self)
    }

    public func clusters() async throws -> [Cluster] {
        let rows = try await connection.query(
            """
            WITH scope AS (SELECT padu.current_scope() AS code)
            SELECT c.id::int4, c.name,
                   -- The coordinator in the caller's regency (0090); a province sees the first regency's.
                   coalesce((SELECT k.agency_id FROM padu.cluster_coordinators k, scope
                              WHERE k.cluster_id = c.id AND length(scope.code) >= 5
                                AND k.regency_code = left(scope.code, 5)), c.coordinator_agency_id),
                   a.id, a.code, a.name, m.role
              FROM padu.clusters c CROSS JOIN scope
              LEFT JOIN (padu.cluster_members m JOIN padu.agencies a ON a.id = m.agency_id)
                ON m.cluster_id = c.id
               AND (scope.code IS NULL OR a.regency_code IS NULL OR padu.in_scope(a.regency_code, scope.code)
                    OR padu.in_scope(scope.code, a.regency_code))
             ORDER BY c.id, CASE m.role WHEN 'chair' THEN 0 WHEN 'vice_chair' THEN 1 ELSE 2 END, a.code
            """
        ).decode((Int, String, Int64?, Int64?, String?, String?, String?).self)
        var clusters: [Cluster] = []
        for (id, name, coordinator, agencyID, code, agencyName, role) in rows {
            if clusters.last?.id != id {
                clusters.append(Cluster(id: id, name: name, coordinatorAgencyID: coordinator, members: []))
            }
            if let agencyID, let code, let agencyName, let role {
                clusters[clusters.count - 1].members.append(
                    ClusterMember(agencyID: agencyID, code: code, name: agencyName, role: role))
            }
        }
        return clusters
    }
}
