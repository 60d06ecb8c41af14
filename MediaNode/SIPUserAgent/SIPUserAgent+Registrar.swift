import NIOCore
import SIPAuth
import SIPMessage
import SIPTransaction
import SIPTransport

extension SIPUserAgent {
    /// REGISTER (RFC 3261 §10.3) with digest authentication per tenant realm (RFC 8760).
    func receiveRegister(_ request: SIPRequest, key: TransactionKey, source: SIPEndpoint) {
        guard let settings = configuration.registrar else {
            respond(key, request, 405, headers: [SIPHeaderField(name: .allow, value: Self.allowed)])
            return
        }
        // The tenant is named by the address-of-record's domain (To), RFC 3261 §10.2.
        let domain = ((try? request.headers.to().uri.sipURI?.host.lowercased()) ?? nil) ?? ""
        guard let realm = settings.realmForDomain(domain), let aor = Registrar.addressOfRecord(of: request) else {
            respond(key, request, 404)
            return
        }
        let sourceIP = source.address.ipAddress ?? "?"
        if throttle.isBlocked(source: sourceIP, now: nowSeconds) {
            respond(key, request, 403)
            return
        }
        guard let credentials = DigestCredentials.find(in: request, realm: realm) else {
            challenge(key, request, realm: realm, stale: false)
            return
        }
        let store = settings.credentials
        spawn {
            let ha1 = await store.ha1(username: credentials.username, realm: realm, algorithm: credentials.algorithm)
            await self.finishRegister(request, key: key, source: source, realm: realm, aor: aor, credentials: credentials, ha1: ha1)
        }
    }

    func finishRegister(_ request: SIPRequest, key: TransactionKey, source: SIPEndpoint, realm: String, aor: String,
                        credentials: DigestCredentials, ha1: String?) {
        guard let settings = configuration.registrar else { return }
        let now = nowSeconds
        let sourceIP = source.address.ipAddress ?? "?"
        switch authenticator.verify(credentials, request: request, ha1: ha1, now: now) {
        case .malformed:
            respond(key, request, 400)
        case .challenge(let stale):
            if !stale {
                throttle.recordFailure(source: sourceIP, now: now)
                // A guessed password (svcrack): a few per source, or one once the account is under attack,
                // and the source is banned; its next datagrams are dropped unread.
                guard sourceGuard.authenticationFailed(sourceIP, account: "\(credentials.username)@\(realm)").isAccepted else {
                    respond(key, request, 403)
                    return
                }
            }
            challenge(key, request, realm: realm, stale: stale)
        case .authenticated(let username):
            throttle.recordSuccess(source: sourceIP)
            sourceGuard.authenticationSucceeded(sourceIP, account: "\(username)@\(realm)")
            // The authenticated user may only register its own address-of-record.
            let toUser = (try? request.headers.to().uri.sipURI?.user) ?? nil
            guard toUser == username else {
                respond(key, request, 403)
                return
            }
            // Calls go to the Contact, unless the phone is behind NAT (its Via names another address
            // than the packet came from, RFC 3581) or on a connection: then to where the REGISTER came from.
            // A Contact naming another host than the source is not followed (unless allowed): a REGISTER
            // must not aim calls, and their RTP, at a third party.
            let elsewhere = !settings.allowThirdPartyContacts && !Self.contactsAreAtSource(request, source: source)
            let reachAt = Self.isNATted(request, source: source) || elsewhere ? source.description : nil
            // The tenant's registration limit (staff-set): a phone more than allowed is refused;
            // refreshes and unregisters of registered phones always pass.
            if let limit = settings.maxRegistrationsForRealm(realm), !registrar.isRegistered(aor, now: now) {
                let domain = Registrar.domain(ofAddressOfRecord: aor)
                if registrar.registeredCount(inDomain: domain) >= limit { registrar.removeExpired(now: now) }  // only at the limit
                if registrar.registeredCount(inDomain: domain) >= limit {
                    respond(key, request, 403, reason: "Registration Limit Reached")
                    return
                }
            }
            switch registrar.register(request, aor: aor, source: reachAt, now: now) {
            case .accepted(let bindings):
                let contacts = Registrar.contactHeaderValues(bindings, now: now).map { SIPHeaderField(name: .contact, value: $0) }
                respond(key, request, 200, headers: contacts)
            case .rejected(let status, let headers):
                respond(key, request, status, headers: headers)
            }
        }
    }

    func challenge(_ key: TransactionKey, _ request: SIPRequest, realm: String, stale: Bool) {
        let challenges = authenticator.challenges(realm: realm, now: nowSeconds, stale: stale)
        respond(key, request, 401, headers: challenges.map { SIPHeaderField(name: .wwwAuthenticate, value: $0.headerValue) })
    }
}

extension SIPUserAgent {
    /// True when a phone must be reached at the REGISTER's source rather than its Contact: over a
    /// stream transport (reuse the connection), or when the top Via's sent-by is not the source
    /// address and port (a NAT rewrote it).
    static func isNATted(_ request: SIPRequest, source: SIPEndpoint) -> Bool {
        guard source.transport == .udp else { return true }
        guard let via = try? request.headers.topVia(), let ip = source.address.ipAddress, let port = source.address.port else { return true }
        return via.host != ip || (via.port ?? 5060) != port
    }

    /// True when every Contact of a REGISTER names the source's IP address (any port: the same
    /// host), or there is none or `*`.
    static func contactsAreAtSource(_ request: SIPRequest, source: SIPEndpoint) -> Bool {
        guard let ip = source.address.ipAddress else { return false }
        guard case .addresses(let contacts)? = try? request.headers.contact() else { return true }
        return contacts.allSatisfy { contact in
            guard let host = contact.uri.sipURI?.host else { return false }
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            return bare == ip || (try? SocketAddress(ipAddress: bare, port: 0).ipAddress) == ip // IPv6 spellings
        }
    }
}
