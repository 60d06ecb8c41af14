import EgressGuard
import Foundation
import NIOCore
import SIPTransport

/// The node's configuration, parsed and checked from flags/environment.
struct NodeSettings: Sendable {
    var controlPlaneURL: URL
    var bootstrapToken: String?
    var sipHost: String
    var sipPort: Int
    var advertisedAddress: String
    var rtpPorts: ClosedRange<Int>
    var dataDirectory: String
    var name: String
    var drainSeconds: Int
    /// The admin listener (`/healthz`, `/readyz`, `/metrics`); nil when turned off with `off`.
    /// Default 127.0.0.1:9090: operations only, never on the public address by default.
    var admin: (host: String, port: Int)?
    /// Once calls are drained, how long the CDR shipper, event uploader, agent-command poller and
    /// node channel get to finish (a last upload) before they are cancelled. Default 3 s; the
    /// spool is durable, so what is not shipped goes at the next start.
    var shutdownGraceSeconds: Int
    /// What IVR HTTP nodes may reach (`EgressGuard`): https to public addresses by default;
    /// `--egress-exempt` CIDRs (a lab's CRM on a private network) and `--egress-allow-http` widen
    /// it; the control plane's and the node's own literal addresses are always refused.
    var egress = EgressPolicy()
    /// Per-source SIP limits and bans (`SIPSourcePolicy.Configuration` documents the defaults);
    /// `--sip-exempt` addresses (a carrier trunk, an edge proxy) are never limited.
    var sipSourcePolicy = SIPSourcePolicy.Configuration()

    init(controlPlaneURL: String, bootstrapToken: String?, sipListen: String, advertisedAddress: String?, rtpPorts: String,
         dataDirectory: String, name: String, drainSeconds: Int, adminListen: String = "127.0.0.1:9090",
         shutdownGraceSeconds: Int = 3) throws {
        guard let url = URL(string: controlPlaneURL), url.scheme == "http" || url.scheme == "https" else {
            throw SettingsError("control plane URL must be http(s)://host[:port]: \(controlPlaneURL)")
        }
        self.controlPlaneURL = url
        self.bootstrapToken = bootstrapToken.flatMap { $0.isEmpty ? nil : $0 }
        guard let sip = Self.hostPort(sipListen) else {
            throw SettingsError("--sip-listen must be host:port, e.g. 0.0.0.0:5060: \(sipListen)")
        }
        (sipHost, sipPort) = sip
        if adminListen == "off" {
            admin = nil
        } else if let admin = Self.hostPort(adminListen) {
            self.admin = admin
        } else {
            throw SettingsError("--admin-listen must be host:port, e.g. 127.0.0.1:9090, or off: \(adminListen)")
        }
        let advertised = advertisedAddress ?? sipHost
        guard advertised != "0.0.0.0", advertised != "::" else {
            throw SettingsError("--advertised-address is needed when listening on a wildcard address")
        }
        self.advertisedAddress = advertised
        let bounds = rtpPorts.split(separator: "-").compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] >= 1024, bounds[0] < bounds[1], bounds[1] <= 65535 else {
            throw SettingsError("--rtp-ports must be low-high within 1024-65535, e.g. 20000-20999: \(rtpPorts)")
        }
        self.rtpPorts = bounds[0]...bounds[1]
        self.dataDirectory = dataDirectory
        self.name = name
        self.drainSeconds = max(0, drainSeconds)
        self.shutdownGraceSeconds = max(0, shutdownGraceSeconds)
        for host in [url.host, advertised].compactMap({ $0 }) {
            if let own = IPAddress(literal: host), let network = IPNetwork(own.description) { egress.deniedNetworks.append(network) }
        }
    }

    /// Applies `--egress-exempt` (comma-separated CIDRs) and `--egress-allow-http`.
    mutating func widenEgress(exempt: String?, allowHTTP: Bool) throws {
        for text in (exempt ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
            guard let network = IPNetwork(text) else { throw SettingsError("--egress-exempt takes CIDRs like 10.1.0.0/16: \(text)") }
            egress.exemptNetworks.append(network)
        }
        if allowHTTP {
            egress.allowedSchemes.insert("http")
            egress.allowedPorts = nil
        }
    }

    /// Applies `--sip-exempt` (comma-separated IP addresses) and the `--sip-*` limits (nil: default).
    mutating func limitSIPSources(exempt: String?, messagesPerSecond: Int?, invitesPerSecond: Int?, authFailures: Int?,
                                  banSeconds: Int?) throws {
        for text in (exempt ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
            // Spelled as the transport sees sources (inet_ntop), so IPv6 forms compare equal.
            guard let address = (try? SocketAddress(ipAddress: text, port: 0))?.ipAddress else {
                throw SettingsError("--sip-exempt takes IP addresses: \(text)")
            }
            sipSourcePolicy.exemptAddresses.insert(address)
        }
        for (name, value) in [("--sip-messages-per-second", messagesPerSecond), ("--sip-invites-per-second", invitesPerSecond),
                              ("--sip-auth-failures", authFailures), ("--sip-ban-seconds", banSeconds)] {
            if let value, value < 1 { throw SettingsError("\(name) must be at least 1: \(value)") }
        }
        if let messagesPerSecond { sipSourcePolicy.messagesPerSecond = messagesPerSecond }
        if let invitesPerSecond { sipSourcePolicy.invitesPerSecond = invitesPerSecond }
        if let authFailures { sipSourcePolicy.authenticationFailuresPerSource = authFailures }
        if let banSeconds { sipSourcePolicy.banSeconds = Double(banSeconds) }
    }

    /// `host:port` (IPv6 in brackets), port 0...65535.
    static func hostPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host.isEmpty ? nil : (host, port)
    }
}

struct SettingsError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
