import CallCenterModel
import Foundation

/// Field rules shared by the control plane's use cases. Each returns a `ValidationIssue` naming the
/// field and saying what a valid value looks like, or nil when the value is acceptable.
public enum InputValidation {
    public static func slug(_ value: String, field: String = "slug") -> ValidationIssue? {
        let bytes = Array(value.utf8)
        let ok = (3...40).contains(bytes.count)
            && bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
            && bytes.first != UInt8(ascii: "-") && bytes.last != UInt8(ascii: "-")
        return ok ? nil : ValidationIssue(field: field, message: "must be 3–40 characters of a-z, 0-9 and '-', not starting or ending with '-' (got '\(value.prefix(50))')")
    }

    public static func email(_ value: String, field: String) -> ValidationIssue? {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        let ok = value.utf8.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !value.contains(where: { $0.isWhitespace || $0.isNewline })
        return ok ? nil : ValidationIssue(field: field, message: "must be an email address like ops@example.com")
    }

    public static func timezone(_ value: String, field: String = "timezone") -> ValidationIssue? {
        TimeZone(identifier: value) != nil && value.utf8.count <= 64
            ? nil : ValidationIssue(field: field, message: "must be an IANA time zone such as Asia/Shanghai or America/New_York")
    }

    /// A pragmatic BCP 47 check: language (2–3 letters) then subtags of 2–8 alphanumerics.
    public static func languageTag(_ value: String, field: String = "defaultLanguage") -> ValidationIssue? {
        let subtags = value.split(separator: "-", omittingEmptySubsequences: false)
        let ok = value.utf8.count <= 35
            && subtags.first.map { (2...3).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isLetter) } == true
            && subtags.dropFirst().allSatisfy { (2...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
        return ok ? nil : ValidationIssue(field: field, message: "must be a BCP 47 language tag such as zh-CN or en-US")
    }

    public static func password(_ value: String, field: String) -> ValidationIssue? {
        (10...1024).contains(value.utf8.count)
            ? nil : ValidationIssue(field: field, message: "must be 10 to 1024 characters long")
    }

    public static func text(_ value: String, field: String, max: Int, allowEmpty: Bool = false) -> ValidationIssue? {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if !allowEmpty && trimmed.isEmpty { return ValidationIssue(field: field, message: "must not be empty") }
        if value.count > max { return ValidationIssue(field: field, message: "must be at most \(max) characters") }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return ValidationIssue(field: field, message: "must not contain control characters")
        }
        return nil
    }

    /// A dialable extension: 2–8 digits.
    public static func phoneExtension(_ value: String, field: String = "extension") -> ValidationIssue? {
        (2...8).contains(value.utf8.count) && value.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            ? nil : ValidationIssue(field: field, message: "must be 2 to 8 digits")
    }

    /// A SIP user part we accept for agent phones: 1–64 of a-z A-Z 0-9 . _ -
    public static func sipUsername(_ value: String, field: String = "sipUsername") -> ValidationIssue? {
        (1...64).contains(value.utf8.count)
            && value.utf8.allSatisfy { isLowerAlnum($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
            ? nil : ValidationIssue(field: field, message: "must be 1 to 64 characters of letters, digits, '.', '_' or '-'")
    }

    public static func e164(_ value: String, field: String = "e164") -> ValidationIssue? {
        E164(value) != nil ? nil : ValidationIssue(field: field, message: "must be an E.164 number: '+', country code, subscriber number, at most 15 digits, e.g. +861012345678")
    }

    public static func skillName(_ value: String, field: String = "name") -> ValidationIssue? {
        Skill.isValidName(value) ? nil : ValidationIssue(field: field, message: "must be 1 to 64 characters of a-z, 0-9, '-' or '_'")
    }

    /// Throws a validation error if any issue is present.
    public static func check(_ issues: [ValidationIssue?]) throws(ControlPlaneError) {
        let found = issues.compactMap { $0 }
        if !found.isEmpty { throw ControlPlaneError.validation(found) }
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
