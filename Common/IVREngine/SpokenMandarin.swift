import Foundation

/// Mandarin Chinese readings of numbers, amounts (人民币 元/角/分), digits, dates and times, one
/// character (or word) per token.
enum SpokenMandarin {
    static let digit = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]

    /// Reading of a non-negative integer: 10 → 十, 1001 → 一千零一, 20000 → 两万, 100010 → 十万零一十.
    static func integer(_ n: UInt64) -> [String] {
        if n == 0 { return ["零"] }
        var sections: [Int] = []  // groups of four digits, lowest first
        var rest = n
        while rest > 0 { sections.append(Int(rest % 10_000)); rest /= 10_000 }
        let units = ["", "万", "亿", "万亿"]
        var out: [String] = []
        var pendingZero = false
        for i in stride(from: sections.count - 1, through: 0, by: -1) {
            let s = sections[i]
            if s == 0 { pendingZero = !out.isEmpty; continue }
            if !out.isEmpty && (pendingZero || s < 1000) { out.append("零") }
            pendingZero = false
            out += section(s, leading: out.isEmpty, beforeUnit: i > 0)
            if i > 0 { out.append(units[i]) }
        }
        return out
    }

    /// One group of four digits (1…9999).
    private static func section(_ s: Int, leading: Bool, beforeUnit: Bool) -> [String] {
        if s == 2 && beforeUnit { return ["两"] }
        let places = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
        var out: [String] = []
        var zero = false
        for (value, unit) in places {
            let d = (s / value) % 10
            if d == 0 { if !out.isEmpty { zero = true }; continue }
            if zero { out.append("零"); zero = false }
            if value == 10 && d == 1 && out.isEmpty && leading {
                out.append("十")  // 十五, not 一十五, at the start of a number
                continue
            }
            out.append(d == 2 && value >= 100 && out.isEmpty && leading ? "两" : digit[d])  // 两千, 两百 only in front
            if !unit.isEmpty { out.append(unit) }
        }
        return out
    }

    static func number(_ value: Decimal) -> [String] {
        let parts = SpokenNumberParts(value)
        var out = parts.negative ? ["负"] : []
        out += integer(parts.integer)
        if !parts.fraction.isEmpty { out += ["点"] + parts.fraction.map { digit[$0] } }
        return out
    }

    static func amount(_ value: Decimal) -> [String] {
        let fen = SpokenNumberParts.minorUnits(value)
        let yuan = UInt64(abs(fen) / 100), jiao = Int(abs(fen) % 100 / 10), cent = Int(abs(fen) % 10)
        var out = fen < 0 ? ["负"] : []
        if yuan > 0 || (jiao == 0 && cent == 0) { out += integer(yuan) + ["元"] }
        if jiao > 0 { out += [digit[jiao], "角"] }
        if cent > 0 {
            if yuan > 0 && jiao == 0 { out.append("零") }
            out += [digit[cent], "分"]
        }
        return out
    }

    static func digits(_ text: String) -> [String] {
        text.compactMap { c in c.wholeNumberValue.map { digit[$0] } ?? (c == "*" ? "星" : c == "#" ? "井" : nil) }
    }

    static func date(year: Int, month: Int, day: Int) -> [String] {
        digits(String(year)) + ["年"] + integer(UInt64(month)) + ["月"] + integer(UInt64(day)) + ["日"]
    }

    static func time(hour: Int, minute: Int) -> [String] {
        let period = hour < 6 ? "凌晨" : hour < 12 ? "上午" : hour < 18 ? "下午" : "晚上"
        let h12 = hour % 12 == 0 ? 12 : hour % 12
        var out = [period] + (h12 == 2 ? ["两"] : integer(UInt64(h12))) + ["点"]
        if minute > 0 { out += (minute < 10 ? ["零"] : []) + integer(UInt64(minute)) + ["分"] }
        return out
    }
}
