import PaduCore

/// A small, fast, seedable random source (SplitMix64): the same seed gives the same registry.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates households and persons with structurally valid identifiers.
///
/// Every synthetic NIK and KK has a serial from 9000 to 9999: a range the demo reserves so
/// that nobody mistakes them for real people's numbers (the `isSynthetic` test).
struct SyntheticRegistry {
    struct Person {
        var nik: String
        var name: String
        var birthDate: CalendarDate
        var sex: Sex
        var relationship: String
    }

    struct Household {
        var village: String
        var address: String
        var kk: String
        var kkIssued: CalendarDate
        var decile: Int
        var members: [Person]
    }

    static let firstSyntheticSerial = 9000

    static func isSynthetic(_ number: String) -> Bool {
        number.count == 16 && (Int(number.suffix(4)) ?? 0) >= firstSyntheticSerial
    }

    private var random: SeededRandom
    private let villages: [String]
    private var serials: [String: Int] = [:]  // next serial per 12-digit prefix
    let referenceYear: Int

    init(villages: [String], seed: UInt64, referenceYear: Int = 2019) {
        precondition(!villages.isEmpty)
        self.villages = villages
        self.random = SeededRandom(seed: seed)
        self.referenceYear = referenceYear
    }

    /// The registry's welfare deciles lean poor: it exists to find the poor.
    private static let decileWeights = [15, 14, 13, 12, 10, 9, 8, 7, 6, 6]

    mutating func household() -> Household {
        let village = villages.randomElement(using: &random)!
        let district = String(village.prefix(8)).replacingDots()
        let issued = date(yearsAgo: 1...15)
        let kk = number(prefix: district + ddmmyy(issued, female: false))
        var members: [Person] = []
        let headIsFemale = Int.random(in: 0..<10, using: &random) == 0
        let headAge = Int.random(in: 22...75, using: &random)
        members.append(person(district: district, age: headAge, female: headIsFemale, relationship: "head"))
        if !headIsFemale || Bool.random(using: &random), Int.random(in: 0..<10, using: &random) < 8 {
            let spouseAge = max(18, headAge + Int.random(in: -8...3, using: &random))
            members.append(person(district: district, age: spouseAge, female: !headIsFemale, relationship: "spouse"))
        }
        let children = headAge < 30 ? Int.random(in: 0...2, using: &random) : Int.random(in: 0...4, using: &random)
        for _ in 0..<children {
            let age = Int.random(in: 0...max(0, min(headAge - 18, 30)), using: &random)
            members.append(
                person(district: district, age: age, female: Bool.random(using: &random), relationship: "child"))
        }
        if headAge > 45, Int.random(in: 0..<8, using: &random) == 0 {
            members.append(
                person(
                    district: district, age: Int.random(in: 70...90, using: &random), female: true,
                    relationship: "parent"))
        }
        var roll = Int.random(in: 0..<100, using: &random)
        var decile = 1
        for (index, weight) in Self.decileWeights.enumerated() {
            if roll < weight {
                decile = index + 1
                break
            }
            roll -= weight
        }
        let address =
            "\(DemoNames.hamlets.randomElement(using: &random)!) RT \(pad(Int.random(in: 1...12, using: &random), 3))"
        return Household(
            village: village, address: address, kk: kk, kkIssued: issued, decile: decile, members: members)
    }

    private mutating func person(district: String, age: Int, female: Bool, relationship: String) -> Person {
        // Most were first registered in their district; some elsewhere in Muba.
        let registered =
            Int.random(in: 0..<6, using: &random) == 0
            ? "1606" + pad(Int.random(in: 1...15, using: &random), 2) : district
        let birth = date(yearsAgo: age...age)
        let nik = number(prefix: registered + ddmmyy(birth, female: female))
        let first =
            female ? DemoNames.female.randomElement(using: &random)! : DemoNames.male.randomElement(using: &random)!
        let second =
            female
            ? DemoNames.femaleSecond.randomElement(using: &random)!
            : DemoNames.maleSecond.randomElement(using: &random)!
        return Person(
            nik: nik, name: second.isEmpty ? first : first + " " + second, birthDate: birth,
            sex: female ? .female : .male,
            relationship: relationship)
    }

    private mutating func date(yearsAgo range: ClosedRange<Int>) -> CalendarDate {
        let year = referenceYear - Int.random(in: range, using: &random)
        let month = Int.random(in: 1...12, using: &random)
        let day = Int.random(in: 1...CalendarDate.daysIn(month: month, year: year)!, using: &random)
        return CalendarDate(year: year, month: month, day: day)!
    }

    /// A 16-digit number with the next free synthetic serial for its 12-digit prefix.
    private mutating func number(prefix: String) -> String {
        let serial = serials[prefix, default: Self.firstSyntheticSerial]
        precondition(serial <= 9999, "more than 1000 synthetic people share a district and birth date")
        serials[prefix] = serial + 1
        return prefix + String(serial)
    }

    private func ddmmyy(_ date: CalendarDate, female: Bool) -> String {
        pad(date.day + (female ? 40 : 0), 2) + pad(date.month, 2) + pad(date.year % 100, 2)
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}

extension String {
    /// `16.06.01` → `160601`.
    func replacingDots() -> String { String(filter { $0 != "." }) }
}
