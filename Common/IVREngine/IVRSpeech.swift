import CallCenterModel
import Foundation

/// Speaking variables: the prompt tokens for a value in a format and language. Mandarin for
/// `zh*` languages, English otherwise. Amounts are 元/角/分 in Mandarin and dollars/cents in English.
public enum IVRSpeech {
    /// Whether `language` (BCP 47) is read in Mandarin.
    public static func isMandarin(_ language: String) -> Bool { language.lowercased().hasPrefix("zh") }

    /// Tokens for `value`; nil when the value does not fit the format (the caller then says it as text).
    public static func tokens(for value: IVRValue, format: IVRTemplate.Format, language: String) -> [String]? {
        let zh = isMandarin(language)
        switch format {
        case .number:
            guard let n = value.numberValue else { return nil }
            return zh ? SpokenMandarin.number(n) : SpokenEnglish.number(n)
        case .amount:
            guard let n = value.numberValue else { return nil }
            return zh ? SpokenMandarin.amount(n) : SpokenEnglish.amount(n)
        case .digits:
            let t = value.description
            guard !t.isEmpty, t.allSatisfy({ $0.isNumber || $0 == "*" || $0 == "#" }) else { return nil }
            return zh ? SpokenMandarin.digits(t) : SpokenEnglish.digits(t)
        case .date:
            guard let (y, m, d) = ymd(value.description) else { return nil }
            return zh ? SpokenMandarin.date(year: y, month: m, day: d) : SpokenEnglish.date(year: y, month: m, day: d)
        case .time:
            guard let (h, m) = hm(value.description) else { return nil }
            return zh ? SpokenMandarin.time(hour: h, minute: m) : SpokenEnglish.time(hour: h, minute: m)
        case .text, .json, .url:
            return nil
        }
    }

    /// Tokens joined the way the language writes them (spaces in English, none in Chinese).
    public static func join(_ tokens: [String], language: String) -> String {
        tokens.joined(separator: isMandarin(language) ? "" : " ")
    }

    /// `yyyy-MM-dd`, optionally followed by a time.
    static func ymd(_ s: String) -> (Int, Int, Int)? {
        let p = s.prefix(10).split(separator: "-")
        guard s.count >= 10, p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        return (y, m, d)
    }

    /// `HH:mm`, or the time of an RFC 3339 timestamp (`…THH:mm…`).
    static func hm(_ s: String) -> (Int, Int)? {
        let t = s.split(separator: "T").last.map(String.init) ?? s
        let p = t.split(separator: ":")
        guard p.count >= 2, let h = Int(p[0]), let m = Int(p[1].prefix(2)), (0...23).contains(h), (0...59).contains(m) else { return nil }
        return (h, m)
    }
}
