import CallCenterModel
import Foundation
import Testing
@testable import IVREngine

@Suite("Speaking variables")
struct IVRSpeechTests {
    func en(_ v: String, _ f: IVRTemplate.Format) -> String? {
        IVRSpeech.tokens(for: .string(v), format: f, language: "en-US").map { IVRSpeech.join($0, language: "en") }
    }
    func zh(_ v: String, _ f: IVRTemplate.Format) -> String? {
        IVRSpeech.tokens(for: .string(v), format: f, language: "zh-CN").map { IVRSpeech.join($0, language: "zh") }
    }

    @Test(arguments: [
        ("0", "zero"), ("7", "seven"), ("13", "thirteen"), ("40", "forty"), ("99", "ninety nine"), ("100", "one hundred"),
        ("105", "one hundred five"), ("1000", "one thousand"), ("1001", "one thousand one"),
        ("123456", "one hundred twenty three thousand four hundred fifty six"), ("1000000", "one million"),
        ("2000000005", "two billion five"), ("-3", "minus three"), ("3.14", "three point one four"),
    ])
    func englishNumbers(_ value: String, _ spoken: String) {
        #expect(en(value, .number) == spoken)
    }

    @Test(arguments: [
        ("0", "零"), ("7", "七"), ("10", "十"), ("15", "十五"), ("20", "二十"), ("99", "九十九"), ("100", "一百"),
        ("101", "一百零一"), ("110", "一百一十"), ("200", "两百"), ("1001", "一千零一"), ("1010", "一千零一十"),
        ("2222", "两千二百二十二"), ("10000", "一万"), ("20000", "两万"), ("100000", "十万"), ("10010", "一万零一十"),
        ("1000001", "一百万零一"), ("12345678", "一千二百三十四万五千六百七十八"), ("100000000", "一亿"),
        ("100010000", "一亿零一万"), ("-5", "负五"), ("3.05", "三点零五"),
    ])
    func mandarinNumbers(_ value: String, _ spoken: String) {
        #expect(zh(value, .number) == spoken)
    }

    @Test func amounts() {
        #expect(en("1234.56", .amount) == "one thousand two hundred thirty four dollars and fifty six cents")
        #expect(en("1", .amount) == "one dollar")
        #expect(en("0.01", .amount) == "one cent")
        #expect(en("0", .amount) == "zero dollars")
        #expect(en("-2.5", .amount) == "minus two dollars and fifty cents")
        #expect(en("19.999", .amount) == "twenty dollars")
        #expect(zh("1234.56", .amount) == "一千二百三十四元五角六分")
        #expect(zh("12.05", .amount) == "十二元零五分")
        #expect(zh("0.5", .amount) == "五角")
        #expect(zh("100", .amount) == "一百元")
        #expect(zh("-40.5", .amount) == "负四十元五角")
    }

    @Test func digitsDatesAndTimes() {
        #expect(en("1024#", .digits) == "one zero two four pound")
        #expect(zh("1024*", .digits) == "一零二四星")
        #expect(en("2026-01-01", .date) == "January first two thousand twenty six")
        #expect(en("2026-03-22T10:00:00Z", .date) == "March twenty second two thousand twenty six")
        #expect(en("2026-07-30", .date) == "July thirtieth two thousand twenty six")
        #expect(zh("2026-11-25", .date) == "二零二六年十一月二十五日")
        #expect(en("14:30", .time) == "two thirty PM")
        #expect(en("09:05", .time) == "nine oh five AM")
        #expect(en("00:00", .time) == "twelve o'clock AM")
        #expect(zh("14:30", .time) == "下午两点三十分")
        #expect(zh("09:05", .time) == "上午九点零五分")
        #expect(zh("20:00", .time) == "晚上八点")
    }

    @Test func valuesThatDoNotFitFallBackToText() {
        #expect(en("abc", .number) == nil)
        #expect(en("12a", .digits) == nil)
        #expect(en("yesterday", .date) == nil)
        #expect(IVRSpeech.tokens(for: .string("x"), format: .text, language: "en") == nil)
        let p = IVRRenderer.playback(.text("Value: {{v|number}}."), variables: ["v": .string("n/a")], language: "en-US", voice: nil)
        #expect(p.text == "Value: n/a.")
    }

    @Test func templatesEscapeForJSONAndURLs() {
        let vars: [String: IVRValue] = ["q": .string("a \"b\"&c"), "n": .number(12.5)]
        #expect(IVRRenderer.string("{\"q\": {{q|json}}, \"n\": {{n|json}}}", variables: vars) == #"{"q": "a \"b\"&c", "n": 12.5}"#)
        #expect(IVRRenderer.string("https://x/?q={{q|url}}", variables: vars) == "https://x/?q=a%20%22b%22%26c")
        #expect(IVRRenderer.string("{{missing}}!", variables: vars) == "!")
    }
}
