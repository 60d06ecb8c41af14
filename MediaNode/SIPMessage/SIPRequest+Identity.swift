/// Control characters in the identities a request names. %HH escapes are legal in a URI user
/// (RFC 3261 §25.1) and a display name may hold quoted-pairs, so `%0D%0A`, `%00` and `\<CTL>`
/// parse; once decoded, they would end a header line wherever the value is copied (the From of an
/// INVITE to an agent's phone, a 302 Contact, a CDR). A user agent refuses such a request at
/// ingress with 400 and this reason phrase.
extension SIPRequest {
    /// The reason phrase of the 400 this request gets, or nil when the Request-URI, From, To and
    /// Contact users, passwords and display names hold no control character (U+0000–U+001F, U+007F;
    /// a tab is linear white space in a display name).
    public var identityControlCharacterFault: String? {
        if Self.hasControlCharacter(uri) { return "Control Character In URI User" }
        var addresses: [NameAddress] = []
        if let from = try? headers.from() { addresses.append(from) }
        if let to = try? headers.to() { addresses.append(to) }
        if case .addresses(let contacts)? = try? headers.contact() { addresses += contacts }
        for a in addresses {
            if Self.hasControlCharacter(a.uri) { return "Control Character In URI User" }
            // A tab is linear white space in a display name; any other control character is not.
            if let d = a.displayName, d.utf8.contains(where: { $0 != 0x09 && ($0 < 0x20 || $0 == 0x7F) }) {
                return "Control Character In Display Name"
            }
        }
        return nil
    }

    static func hasControlCharacter(_ uri: AnyURI) -> Bool {
        switch uri {
        case .sip(let u):
            return (u.user.map(hasControlCharacter) ?? false) || (u.password.map(hasControlCharacter) ?? false)
        case .tel, .absolute:
            return false // kept as written: escapes are never decoded
        }
    }

    /// True if `text` holds a C0 control character or DEL.
    public static func hasControlCharacter(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }
}
