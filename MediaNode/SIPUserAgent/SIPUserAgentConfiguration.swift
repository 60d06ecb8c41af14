import Logging
import SIPAuth
import SIPMessage
import SIPTransaction
import SIPTransport

/// Everything a `SIPUserAgent` is configured with; `main` fills it from flags/environment.
public struct SIPUserAgentConfiguration: Sendable {
    /// Listeners (address, ports, parser limits).
    public var transport: SIPTransportLayer.Configuration
    /// RFC 3261 timers T1/T2/T4 and derived A–M.
    public var timers: TransactionTimers
    /// User-Agent / Server header value.
    public var productName: String
    /// Session-Expires we apply when the caller asks for none (RFC 4028); nil: no timer unless asked.
    public var defaultSessionInterval: UInt32?
    /// Registrar and digest authentication; nil disables REGISTER (405).
    public var registrar: RegistrarSettings?
    public var logger: Logger

    public init(transport: SIPTransportLayer.Configuration = .init(), timers: TransactionTimers = .init(),
                productName: String = "callcenter-media-node", defaultSessionInterval: UInt32? = nil,
                registrar: RegistrarSettings? = nil,
                logger: Logger = Logger(label: "sip")) {
        self.transport = transport
        self.timers = timers
        self.productName = productName
        self.defaultSessionInterval = defaultSessionInterval
        self.registrar = registrar
        self.logger = logger
    }
}

/// Registrar settings: who may register and how they are authenticated.
public struct RegistrarSettings: Sendable {
    /// HA1 lookup keyed by (username, realm); the realm is the tenant's SIP domain.
    public var credentials: any DigestCredentialStore
    /// Maps a request's domain (Request-URI/To host) to the realm that serves it; nil = not ours (404).
    public var realmForDomain: @Sendable (String) -> String?
    public var registrar: Registrar.Configuration
    public var digest: DigestAuthenticator.Configuration
    /// Failed authentications allowed per source address per minute before 403s (the source
    /// policy's ban, `SIPSourcePolicy.Configuration.authenticationFailuresPerSource`, comes first).
    public var maxFailuresPerMinute: Int
    /// Follow a registered Contact that names another host than the REGISTER's source (default
    /// false: calls go to the source address, so a REGISTER cannot aim calls at a third party).
    public var allowThirdPartyContacts: Bool
    /// The most phones (addresses-of-record with bindings) a realm may have registered; nil: no
    /// limit. A REGISTER that would add one more is answered 403.
    public var maxRegistrationsForRealm: @Sendable (String) -> Int? = { _ in nil }

    public init(credentials: any DigestCredentialStore, realmForDomain: @escaping @Sendable (String) -> String? = { $0 },
                registrar: Registrar.Configuration = .init(), digest: DigestAuthenticator.Configuration = .init(),
                maxFailuresPerMinute: Int = 20, allowThirdPartyContacts: Bool = false) {
        self.credentials = credentials
        self.realmForDomain = realmForDomain
        self.registrar = registrar
        self.digest = digest
        self.maxFailuresPerMinute = maxFailuresPerMinute
        self.allowThirdPartyContacts = allowThirdPartyContacts
    }
}
