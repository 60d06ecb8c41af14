import Foundation

/// A tenant's opening hours: a weekly schedule in a time zone, plus holidays (closed, or special
/// hours). Evaluated in local wall-clock time with Foundation's `TimeZone`, so it follows DST.
public struct BusinessHours: Codable, Sendable, Equatable, Hashable {
    public enum Weekday: String, Codable, Sendable, Hashable, CaseIterable {
        case sun, mon, tue, wed, thu, fri, sat
    }

    /// Open from `open` to `close` (`HH:mm`, `24:00` allowed for close) on each of `days`. A
    /// `close` not after `open` runs past midnight into the next day.
    public struct Period: Codable, Sendable, Equatable, Hashable {
        public var days: [Weekday]
        public var open: String
        public var close: String
        public init(days: [Weekday], open: String, close: String) { self.days = days; self.open = open; self.close = close }
    }

    /// A date (`yyyy-MM-dd`, local) closed all day, or open only `open`–`close` when given.
    public struct Holiday: Codable, Sendable, Equatable, Hashable {
        public var date: String
        public var name: String?
        public var open: String?
        public var close: String?
        public init(date: String, name: String? = nil, open: String? = nil, close: String? = nil) {
            self.date = date; self.name = name; self.open = open; self.close = close
        }
    }

    public enum Status: Equatable, Sendable {
        case open
        case closed
        case holiday(name: String?)
    }

    /// IANA time zone id, e.g. `Asia/Shanghai`, `America/New_York`.
    public var timeZone: String
    public var weekly: [Period]
    public var holidays: [Holiday]

    public init(timeZone: String, weekly: [Period], holidays: [Holiday] = []) {
        self.timeZone = timeZone; self.weekly = weekly; self.holidays = holidays
    }

    private enum CodingKeys: String, CodingKey { case timeZone, weekly, holidays }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timeZone = try c.decode(String.self, forKey: .timeZone)
        weekly = try c.decodeIfPresent([Period].self, forKey: .weekly) ?? []
        holidays = try c.decodeIfPresent([Holiday].self, forKey: .holidays) ?? []
    }

    /// Minutes since midnight of `HH:mm` (00:00…24:00), or nil.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0...59).contains(m),
              h < 24 || m == 0 else { return nil }
        return h * 60 + m
    }

    /// Whether the tenant is open at `date`.
    public func status(at date: Date) -> Status {
        guard let zone = TimeZone(identifier: timeZone) else { return .closed }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        let minute = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        let day = String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        if let holiday = holidays.first(where: { $0.date == day }) {
            if let o = holiday.open.flatMap(Self.minutes), let cl = holiday.close.flatMap(Self.minutes), o <= minute, minute < cl {
                return .open
            }
            return .holiday(name: holiday.name)
        }
        let weekday = Weekday.allCases[(c.weekday ?? 1) - 1]
        let yesterday = Weekday.allCases[((c.weekday ?? 1) + 5) % 7]
        for p in weekly {
            guard let o = Self.minutes(p.open), let cl = Self.minutes(p.close) else { continue }
            if cl > o {
                if p.days.contains(weekday), o <= minute, minute < cl { return .open }
            } else {
                if p.days.contains(weekday), minute >= o { return .open }
                if p.days.contains(yesterday), minute < cl { return .open }
            }
        }
        return .closed
    }

    /// Problems with this schedule; `field` paths are relative to it.
    public func validate() -> [ValidationIssue] {
        var v = ValidationCollector()
        v.require(TimeZone(identifier: timeZone) != nil, "timeZone", "'\(timeZone)' is not a known IANA time zone")
        for (i, p) in weekly.enumerated() {
            v.require(!p.days.isEmpty, "weekly[\(i)].days", "must list at least one day")
            let o = Self.minutes(p.open), c = Self.minutes(p.close)
            v.require(o != nil && o! < 24 * 60, "weekly[\(i)].open", "must be HH:mm between 00:00 and 23:59")
            v.require(c != nil, "weekly[\(i)].close", "must be HH:mm between 00:00 and 24:00")
            if let o, let c { v.require(o != c, "weekly[\(i)]", "open and close must differ") }
        }
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.dateFormat = "yyyy-MM-dd"
        format.timeZone = TimeZone(identifier: "UTC")
        for (i, h) in holidays.enumerated() {
            v.require(format.date(from: h.date) != nil && h.date.count == 10, "holidays[\(i)].date", "must be a date yyyy-MM-dd")
            v.require((h.open == nil) == (h.close == nil), "holidays[\(i)]", "special hours need both open and close")
            if let o = h.open { v.require(Self.minutes(o) != nil, "holidays[\(i)].open", "must be HH:mm") }
            if let c = h.close { v.require(Self.minutes(c) != nil, "holidays[\(i)].close", "must be HH:mm") }
        }
        return v.issues
    }
}
