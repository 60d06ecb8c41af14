import SIPMessage

/// One registered contact of an address-of-record (RFC 3261 §10.3).
public struct RegistrarBinding: Hashable, Sendable {
    /// The Contact as registered, without `expires` (header parameters such as `+sip.instance` kept).
    public var contact: NameAddress
    /// Absolute expiry time in the caller's clock (seconds).
    public var expiresAt: UInt64
    public var q: QValue
    public var callID: String
    public var cseq: UInt32
    /// Where the REGISTER came from (e.g. "udp:192.0.2.4:5060"), to reach phones behind NAT.
    public var source: String?

    /// Seconds left at `now`.
    public func remaining(now: UInt64) -> UInt64 { expiresAt > now ? expiresAt - now : 0 }
}

/// Registrar bindings and the REGISTER procedure of RFC 3261 §10.3 (steps 6-8): expiry,
/// Min-Expires (423), q-values, wildcard removal, Call-ID/CSeq ordering. Pure, in memory: a
/// restart clears it and phones re-register. Authentication is done before calling `register`.
public struct Registrar: Sendable {
    public struct Configuration: Sendable {
        /// Shortest accepted non-zero expiry; shorter gets 423 with Min-Expires (default 60).
        public var minExpires: UInt32
        /// Longer requests are shortened to this (default 3600).
        public var maxExpires: UInt32
        /// Used when neither the contact nor the request says (default 3600).
        public var defaultExpires: UInt32
        /// Bound on contacts per address-of-record (default 10).
        public var maxContactsPerAOR: Int

        public init(minExpires: UInt32 = 60, maxExpires: UInt32 = 3600, defaultExpires: UInt32 = 3600, maxContactsPerAOR: Int = 10) {
            self.minExpires = minExpires
            self.maxExpires = maxExpires
            self.defaultExpires = defaultExpires
            self.maxContactsPerAOR = maxContactsPerAOR
        }
    }

    /// What to answer.
    public enum Outcome: Hashable, Sendable {
        /// 200 OK listing every current binding (RFC 3261 §10.3 step 8).
        case accepted([RegistrarBinding])
        /// An error status with the headers it needs (Min-Expires for 423).
        case rejected(status: Int, headers: [SIPHeaderField])
    }

    public var configuration: Configuration
    private var table: [String: [RegistrarBinding]] = [:]
    /// Addresses-of-record with bindings, by domain (for per-tenant registration limits).
    private var perDomain: [String: Int] = [:]

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The address-of-record key of a REGISTER (its To URI, RFC 3261 §10.3 step 5).
    public static func addressOfRecord(of request: SIPRequest) -> String? {
        guard let to = try? request.headers.to() else { return nil }
        switch to.uri {
        case .sip(let u): return u.addressOfRecord
        default: return to.uri.description.lowercased()
        }
    }

    /// Applies a REGISTER for `aor` at `now`.
    public mutating func register(_ request: SIPRequest, aor: String, source: String? = nil, now: UInt64) -> Outcome {
        let callID: String
        let cseq: CSeq
        let headerExpires: UInt32?
        let contactValue: ContactValue?
        do {
            callID = try request.headers.callID()
            cseq = try request.headers.cseq()
            headerExpires = try request.headers.expires()
            contactValue = try request.headers.contact()
        } catch {
            return .rejected(status: 400, headers: [])
        }
        // §10.3 step 6: no Contact is a query for the current bindings.
        guard let contactValue else { return .accepted(sorted(current(aor, now: now))) }
        var list = current(aor, now: now)
        switch contactValue {
        case .wildcard:
            // §10.2.2: "*" only with Expires: 0 and as the only Contact.
            guard headerExpires == 0 else { return .rejected(status: 400, headers: []) }
            for b in list where b.callID == callID && cseq.sequence <= b.cseq {
                return .rejected(status: 500, headers: [])
            }
            list.removeAll()
        case .addresses(let contacts):
            for contact in contacts {
                let requested: UInt64
                if let e = contact.parameters.parameter("expires"), let v = e, let n = UInt64(v) {
                    requested = n
                } else if let h = headerExpires {
                    requested = UInt64(h)
                } else {
                    requested = UInt64(configuration.defaultExpires)
                }
                if requested != 0, requested < UInt64(configuration.minExpires) {
                    return .rejected(status: 423, headers: [SIPHeaderField(name: .minExpires, value: "\(configuration.minExpires)")])
                }
                let expires = min(requested, UInt64(configuration.maxExpires))
                let existing = list.firstIndex { Self.sameContact($0.contact.uri, contact.uri) }
                if let i = existing {
                    // §10.3 step 7: an older or repeated request of the same Call-ID must not update.
                    if list[i].callID == callID, cseq.sequence <= list[i].cseq { return .rejected(status: 500, headers: []) }
                    if expires == 0 {
                        list.remove(at: i)
                        continue
                    }
                }
                guard expires > 0 else { continue }
                var stored = contact
                stored.parameters.remove("expires")
                let q = (contact.parameters.parameter("q") ?? nil).flatMap { QValue($0) } ?? QValue(thousandths: 1000)
                let binding = RegistrarBinding(
                    contact: stored, expiresAt: now + expires, q: q, callID: callID, cseq: cseq.sequence, source: source
                )
                if let i = existing { list[i] = binding } else { list.append(binding) }
            }
            guard list.count <= configuration.maxContactsPerAOR else { return .rejected(status: 403, headers: []) }
        }
        store(aor, list)
        return .accepted(sorted(list))
    }

    /// Current bindings of `aor`, highest q first (RFC 3261 §16.6 uses q to order targets).
    public func bindings(for aor: String, now: UInt64) -> [RegistrarBinding] {
        sorted(current(aor, now: now))
    }

    /// Drops expired bindings; call periodically.
    public mutating func removeExpired(now: UInt64) {
        for (aor, list) in table {
            store(aor, list.filter { $0.expiresAt > now })
        }
    }

    /// Addresses-of-record of `domain` (lower-case) with at least one binding.
    public func registeredCount(inDomain domain: String) -> Int { perDomain[domain] ?? 0 }

    /// Whether `aor` has a live binding (a REGISTER for it refreshes rather than adds a phone).
    public func isRegistered(_ aor: String, now: UInt64) -> Bool { !current(aor, now: now).isEmpty }

    /// The lower-cased host of an address-of-record `sip:user@host`.
    public static func domain(ofAddressOfRecord aor: String) -> String {
        guard let at = aor.lastIndex(of: "@") else { return "" }
        return String(aor[aor.index(after: at)...]).lowercased()
    }

    private mutating func store(_ aor: String, _ list: [RegistrarBinding]) {
        let had = table[aor] != nil
        table[aor] = list.isEmpty ? nil : list
        guard had == list.isEmpty else { return }
        let domain = Self.domain(ofAddressOfRecord: aor)
        let count = (perDomain[domain] ?? 0) + (had ? -1 : 1)
        perDomain[domain] = count > 0 ? count : nil
    }

    /// Number of addresses-of-record with at least one binding.
    public var count: Int { table.count }

    /// The Contact header values of a 200 OK for `bindings` (each with its remaining expiry).
    public static func contactHeaderValues(_ bindings: [RegistrarBinding], now: UInt64) -> [String] {
        bindings.map { b in
            var c = b.contact
            c.parameters.set("expires", String(b.remaining(now: now)))
            return c.description
        }
    }

    private func current(_ aor: String, now: UInt64) -> [RegistrarBinding] {
        (table[aor] ?? []).filter { $0.expiresAt > now }
    }

    private func sorted(_ list: [RegistrarBinding]) -> [RegistrarBinding] {
        list.sorted { $0.q > $1.q }
    }

    static func sameContact(_ a: AnyURI, _ b: AnyURI) -> Bool {
        if let x = a.sipURI, let y = b.sipURI { return x.isEquivalent(to: y) }
        return a == b
    }
}
