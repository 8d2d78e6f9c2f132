/// A PostgreSQL type, by its OID.
public struct PQType: Hashable, Sendable, CustomStringConvertible {
    public let oid: UInt32
    public init(oid: UInt32) { self.oid = oid }

    public static let bool = PQType(oid: 16)
    public static let bytea = PQType(oid: 17)
    public static let name = PQType(oid: 19)
    public static let int8 = PQType(oid: 20)
    public static let int2 = PQType(oid: 21)
    public static let int4 = PQType(oid: 23)
    public static let text = PQType(oid: 25)
    public static let oidType = PQType(oid: 26)
    public static let json = PQType(oid: 114)
    public static let float4 = PQType(oid: 700)
    public static let float8 = PQType(oid: 701)
    public static let unknown = PQType(oid: 705)
    public static let boolArray = PQType(oid: 1000)
    public static let int2Array = PQType(oid: 1005)
    public static let int4Array = PQType(oid: 1007)
    public static let textArray = PQType(oid: 1009)
    public static let varcharArray = PQType(oid: 1015)
    public static let int8Array = PQType(oid: 1016)
    public static let float8Array = PQType(oid: 1022)
    public static let bpchar = PQType(oid: 1042)
    public static let varchar = PQType(oid: 1043)
    public static let date = PQType(oid: 1082)
    public static let timestamp = PQType(oid: 1114)
    public static let timestamptz = PQType(oid: 1184)
    public static let dateArray = PQType(oid: 1182)
    public static let numeric = PQType(oid: 1700)
    public static let uuid = PQType(oid: 2950)
    public static let jsonb = PQType(oid: 3802)

    public var description: String { "oid \(oid)" }
}
