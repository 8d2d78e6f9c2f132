/// Reads PostgreSQL's binary `numeric` into its decimal text.
enum PQNumeric {
    static func string(from bytes: UnsafeRawBufferPointer) throws(PQError) -> String {
        guard bytes.count >= 8 else {
            throw PQError(code: .typeMismatch, message: "truncated numeric value")
        }
        let ndigits = Int(bytes.readBigEndian(Int16.self, at: 0))
        let weight = Int(bytes.readBigEndian(Int16.self, at: 2))
        let sign = bytes.readBigEndian(UInt16.self, at: 4)
        let dscale = Int(bytes.readBigEndian(Int16.self, at: 6))
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        default: break
        }
        guard bytes.count >= 8 + ndigits * 2 else {
            throw PQError(code: .typeMismatch, message: "truncated numeric value")
        }
        let digits = (0..<ndigits).map { Int(bytes.readBigEndian(Int16.self, at: 8 + $0 * 2)) }
        func group(_ index: Int) -> Int { index >= 0 && index < digits.count ? digits[index] : 0 }

        var integer = ""
        if weight < 0 {
            integer = "0"
        } else {
            for index in 0...weight {
                let text = String(group(index))
                integer += index == 0 ? text : String(repeating: "0", count: 4 - text.count) + text
            }
        }
        var fraction = ""
        var index = weight + 1
        while fraction.count < dscale {
            let text = String(group(index))
            fraction += String(repeating: "0", count: 4 - text.count) + text
            index += 1
        }
        fraction = String(fraction.prefix(dscale))
        let body = dscale > 0 ? integer + "." + fraction : integer
        return sign == 0x4000 ? "-" + body : body
    }
}
