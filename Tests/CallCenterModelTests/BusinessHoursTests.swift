import Foundation
import Testing
@testable import CallCenterModel

@Suite("Business hours")
struct BusinessHoursTests {
    let newYork = BusinessHours(timeZone: "America/New_York",
                                weekly: [.init(days: [.mon, .tue, .wed, .thu, .fri], open: "09:00", close: "17:00")])
    func at(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }

    @Test func springForwardKeepsLocalOpeningTime() {
        // DST starts Sunday 2026-03-08: 09:00 local is 14:00 UTC on Friday, 13:00 UTC on Monday.
        #expect(newYork.status(at: at("2026-03-06T14:00:00Z")) == .open)
        #expect(newYork.status(at: at("2026-03-06T13:59:00Z")) == .closed)
        #expect(newYork.status(at: at("2026-03-09T13:00:00Z")) == .open)
        #expect(newYork.status(at: at("2026-03-09T12:59:00Z")) == .closed)
        #expect(newYork.status(at: at("2026-03-09T20:59:00Z")) == .open)   // 16:59 EDT
        #expect(newYork.status(at: at("2026-03-09T21:00:00Z")) == .closed) // 17:00 EDT
    }

    @Test func fallBackKeepsLocalOpeningTime() {
        // DST ends Sunday 2026-11-01: 09:00 local is 13:00 UTC on Friday, 14:00 UTC on Monday.
        #expect(newYork.status(at: at("2026-10-30T13:00:00Z")) == .open)
        #expect(newYork.status(at: at("2026-11-02T13:30:00Z")) == .closed)
        #expect(newYork.status(at: at("2026-11-02T14:00:00Z")) == .open)
    }

    @Test func overnightShiftAcrossTheDSTNight() {
        // A Saturday 22:00 – 06:00 shift in Berlin; DST ends on Sunday 2026-10-25 at 03:00 local.
        let berlin = BusinessHours(timeZone: "Europe/Berlin", weekly: [.init(days: [.sat], open: "22:00", close: "06:00")])
        #expect(berlin.status(at: at("2026-10-24T20:00:00Z")) == .open)    // 22:00 CEST Saturday
        #expect(berlin.status(at: at("2026-10-25T00:30:00Z")) == .open)    // 02:30 CEST, before the change
        #expect(berlin.status(at: at("2026-10-25T01:30:00Z")) == .open)    // 02:30 CET, the repeated hour
        #expect(berlin.status(at: at("2026-10-25T04:59:00Z")) == .open)    // 05:59 CET
        #expect(berlin.status(at: at("2026-10-25T05:00:00Z")) == .closed)  // 06:00 CET
        #expect(berlin.status(at: at("2026-10-24T19:59:00Z")) == .closed)  // 21:59 CEST
    }

    @Test func holidaysAndSpecialHours() {
        var hours = BusinessHours(timeZone: "Asia/Shanghai", weekly: [.init(days: BusinessHours.Weekday.allCases, open: "08:00", close: "22:00")],
                                  holidays: [.init(date: "2026-10-01", name: "国庆节"), .init(date: "2026-02-17", name: "春节", open: "10:00", close: "14:00")])
        #expect(hours.status(at: at("2026-10-01T04:00:00Z")) == .holiday(name: "国庆节"))
        #expect(hours.status(at: at("2026-02-17T03:00:00Z")) == .open)      // 11:00 special hours
        #expect(hours.status(at: at("2026-02-17T07:00:00Z")) == .holiday(name: "春节"))  // 15:00
        #expect(hours.status(at: at("2026-10-02T04:00:00Z")) == .open)
        hours.timeZone = "Mars/Olympus"
        #expect(hours.status(at: at("2026-10-02T04:00:00Z")) == .closed)
    }

    @Test func validation() throws {
        let bad = BusinessHours(timeZone: "Nowhere/City", weekly: [.init(days: [], open: "25:00", close: "9am"), .init(days: [.mon], open: "10:00", close: "10:00")],
                                holidays: [.init(date: "2026-13-01"), .init(date: "2026-12-24", open: "10:00")])
        #expect(bad.validate().map(\.field) == ["timeZone", "weekly[0].days", "weekly[0].open", "weekly[0].close", "weekly[1]",
                                                "holidays[0].date", "holidays[1]"])
        #expect(newYork.validate().isEmpty)
        let json = #"{"timeZone": "Asia/Shanghai", "weekly": [{"days": ["mon"], "open": "09:00", "close": "24:00"}]}"#
        let decoded = try JSONDecoder().decode(BusinessHours.self, from: Data(json.utf8))
        #expect(decoded.holidays.isEmpty && decoded.validate().isEmpty)
    }
}
