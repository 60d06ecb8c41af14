import Foundation

/// English words for numbers, amounts, digits, dates and times, as prompt tokens
/// (one token per word, so a node can concatenate recorded word prompts or feed TTS).
enum SpokenEnglish {
    static let ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                       "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
    static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    static let ordinalOnes = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                              "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
                              "seventeenth", "eighteenth", "nineteenth"]
    static let ordinalTens = ["", "", "twentieth", "thirtieth"]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                         "October", "November", "December"]

    /// Cardinal words for a non-negative integer.
    static func integer(_ n: UInt64) -> [String] {
        if n < 20 { return [ones[Int(n)]] }
        if n < 100 { return [tens[Int(n / 10)]] + (n % 10 == 0 ? [] : [ones[Int(n % 10)]]) }
        if n < 1000 { return [ones[Int(n / 100)], "hundred"] + (n % 100 == 0 ? [] : integer(n % 100)) }
        for (scale, word) in [(UInt64(1_000_000_000_000), "trillion"), (1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand")]
        where n >= scale {
            return integer(n / scale) + [word] + (n % scale == 0 ? [] : integer(n % scale))
        }
        return []
    }

    static func ordinal(_ n: Int) -> [String] {
        if n < 20 { return [ordinalOnes[n]] }
        if n % 10 == 0, n / 10 < ordinalTens.count { return [ordinalTens[n / 10]] }
        return [tens[n / 10], ordinalOnes[n % 10]]
    }

    static func number(_ value: Decimal) -> [String] {
        let parts = SpokenNumberParts(value)
        var words = parts.negative ? ["minus"] : []
        words += integer(parts.integer)
        if !parts.fraction.isEmpty { words += ["point"] + parts.fraction.map { ones[$0] } }
        return words
    }

    static func amount(_ value: Decimal) -> [String] {
        let cents = SpokenNumberParts.minorUnits(value)
        let major = UInt64(abs(cents) / 100), minor = UInt64(abs(cents) % 100)
        var words = cents < 0 ? ["minus"] : []
        if major > 0 || minor == 0 { words += integer(major) + [major == 1 ? "dollar" : "dollars"] }
        if minor > 0 {
            if major > 0 { words.append("and") }
            words += integer(minor) + [minor == 1 ? "cent" : "cents"]
        }
        return words
    }

    static func digits(_ text: String) -> [String] {
        text.compactMap { c in c.wholeNumberValue.map { ones[$0] } ?? (c == "*" ? "star" : c == "#" ? "pound" : nil) }
    }

    static func date(year: Int, month: Int, day: Int) -> [String] {
        [months[month - 1]] + ordinal(day) + integer(UInt64(year))
    }

    static func time(hour: Int, minute: Int) -> [String] {
        let h12 = hour % 12 == 0 ? 12 : hour % 12
        var words = integer(UInt64(h12))
        if minute == 0 { words.append("o'clock") }
        else if minute < 10 { words += ["oh", ones[minute]] }
        else { words += integer(UInt64(minute)) }
        words.append(hour < 12 ? "AM" : "PM")
        return words
    }
}

/// Sign, integer part and fraction digits of a decimal, for speaking.
struct SpokenNumberParts {
    var negative: Bool
    var integer: UInt64
    var fraction: [Int]

    init(_ value: Decimal) {
        negative = value < 0
        let text = NSDecimalNumber(decimal: negative ? -value : value).stringValue
        let pieces = text.split(separator: ".", maxSplits: 1)
        integer = UInt64(pieces[0]) ?? 0
        fraction = pieces.count > 1 ? pieces[1].compactMap(\.wholeNumberValue) : []
    }

    /// The value in hundredths, rounded half up.
    static func minorUnits(_ value: Decimal) -> Int64 {
        var v = value * 100, r = Decimal()
        NSDecimalRound(&r, &v, 0, .plain)
        return NSDecimalNumber(decimal: r).int64Value
    }
}
