import Foundation

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

    init(controlPlaneURL: String, bootstrapToken: String?, sipListen: String, advertisedAddress: String?, rtpPorts: String,
         dataDirectory: String, name: String, drainSeconds: Int) throws {
        guard let url = URL(string: controlPlaneURL), url.scheme == "http" || url.scheme == "https" else {
            throw SettingsError("control plane URL must be http(s)://host[:port]: \(controlPlaneURL)")
        }
        self.controlPlaneURL = url
        self.bootstrapToken = bootstrapToken.flatMap { $0.isEmpty ? nil : $0 }
        guard let colon = sipListen.lastIndex(of: ":"), let port = Int(sipListen[sipListen.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw SettingsError("--sip-listen must be host:port, e.g. 0.0.0.0:5060: \(sipListen)")
        }
        sipHost = String(sipListen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        sipPort = port
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
    }
}

struct SettingsError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
