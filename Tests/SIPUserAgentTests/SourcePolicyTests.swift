import SIPTransport
import Testing

/// The per-source policy as a pure value on a manual clock: rates, bans, dialogs, password guessing.
@Suite("SIP source policy")
struct SourcePolicyTests {
    static let config = SIPSourcePolicy.Configuration(messagesPerSecond: 10, invitesPerSecond: 3, unconfirmedDialogsPerSource: 2,
                                                      authenticationFailuresPerSource: 3, authenticationFailuresPerAccount: 7,
                                                      failureWindowSeconds: 60, banSeconds: 30, exemptAddresses: ["192.0.2.99"])

    @Test("a burst over the message rate bans the source for banSeconds; others are not affected; the ban ends")
    func messageRateBans() {
        var p = SIPSourcePolicy(configuration: Self.config)
        for _ in 0..<10 { #expect(p.admit(source: "198.51.100.1", isInvite: false, now: 1) == .accept) }
        #expect(p.admit(source: "198.51.100.1", isInvite: false, now: 1) == .refuse(.messageRate, banStarted: true))
        #expect(p.admit(source: "198.51.100.1", isInvite: false, now: 2) == .refuse(.banned, banStarted: false))
        #expect(p.isBanned("198.51.100.1", now: 30.9))
        #expect(p.bannedSources == 1)
        #expect(p.admit(source: "198.51.100.2", isInvite: false, now: 2) == .accept)
        #expect(p.admit(source: "198.51.100.1", isInvite: false, now: 31.1) == .accept, "the ban ended")
        #expect(p.bannedSources == 0)
    }

    @Test("a steady rate under the limit is never refused")
    func steadyRateIsFine() {
        var p = SIPSourcePolicy(configuration: Self.config)
        for i in 0..<1000 { #expect(p.admit(source: "198.51.100.1", isInvite: i % 4 == 0, now: Double(i) * 0.11) == .accept) }
    }

    @Test("INVITEs have their own, lower rate")
    func inviteRate() {
        var p = SIPSourcePolicy(configuration: Self.config)
        for _ in 0..<3 { #expect(p.admit(source: "198.51.100.1", isInvite: true, now: 5) == .accept) }
        #expect(p.admit(source: "198.51.100.1", isInvite: true, now: 5) == .refuse(.inviteRate, banStarted: true))
    }

    @Test("exempt addresses and a disabled policy are never limited")
    func exemptions() {
        var p = SIPSourcePolicy(configuration: Self.config)
        var off = SIPSourcePolicy(configuration: .unlimited)
        for _ in 0..<100 {
            #expect(p.admit(source: "192.0.2.99", isInvite: true, now: 1) == .accept)
            #expect(off.admit(source: "198.51.100.1", isInvite: true, now: 1) == .accept)
            #expect(off.authenticationFailed(source: "198.51.100.1", account: "a", now: 1) == .accept)
        }
    }

    @Test("unconfirmed dialogs per source are bounded; confirming or ending one frees a place")
    func unconfirmedDialogs() {
        var p = SIPSourcePolicy(configuration: Self.config)
        #expect(p.openDialog(source: "198.51.100.1", now: 1) == .accept)
        #expect(p.openDialog(source: "198.51.100.1", now: 1) == .accept)
        #expect(p.openDialog(source: "198.51.100.1", now: 1) == .refuse(.unconfirmedDialogs, banStarted: false))
        #expect(p.openDialog(source: "198.51.100.2", now: 1) == .accept)
        p.closeDialog(source: "198.51.100.1")
        #expect(p.openDialog(source: "198.51.100.1", now: 1) == .accept)
        #expect(!p.isBanned("198.51.100.1", now: 1))
    }

    @Test("password guessing: a few failures ban the source; the real phone elsewhere is not locked out")
    func passwordGuessing() {
        var p = SIPSourcePolicy(configuration: Self.config)
        p.authenticationSucceeded(source: "203.0.113.7", account: "lina@acme", now: 0) // the agent's phone
        #expect(p.authenticationFailed(source: "198.51.100.1", account: "lina@acme", now: 1) == .accept)
        #expect(p.authenticationFailed(source: "198.51.100.1", account: "lina@acme", now: 2) == .accept)
        #expect(p.authenticationFailed(source: "198.51.100.1", account: "lina@acme", now: 3) == .refuse(.authenticationFailures, banStarted: true))
        #expect(p.admit(source: "198.51.100.1", isInvite: false, now: 4) == .refuse(.banned, banStarted: false))
        // Spread over many sources (two tries each): once the account has had more than 7 failures, any new
        // failing source is banned at its first failure, except one that authenticated as it before.
        for i in 2...3 {
            for t in 0..<2 { #expect(p.authenticationFailed(source: "198.51.100.\(i)", account: "lina@acme", now: 5 + Double(t)) == .accept) }
        }
        #expect(p.authenticationFailed(source: "198.51.100.9", account: "lina@acme", now: 8) == .refuse(.authenticationFailures, banStarted: true))
        #expect(p.authenticationFailed(source: "203.0.113.7", account: "lina@acme", now: 8) == .accept, "the agent mistyped once")
        #expect(!p.isBanned("203.0.113.7", now: 9))
        #expect(p.authenticationFailed(source: "198.51.100.10", account: "other@acme", now: 8) == .accept, "another account is not under attack")
    }

    @Test("an address where an account authenticated (an office NAT) gets more tries before a ban")
    func knownAddressGetsMoreTries() {
        var config = Self.config
        config.authenticationFailuresPerKnownSource = 6
        var p = SIPSourcePolicy(configuration: config)
        p.authenticationSucceeded(source: "203.0.113.7", account: "wang@acme", now: 0)
        for t in 1...5 { #expect(p.authenticationFailed(source: "203.0.113.7", account: "li@acme", now: Double(t)) == .accept) }
        #expect(p.authenticationFailed(source: "203.0.113.7", account: "li@acme", now: 6) == .refuse(.authenticationFailures, banStarted: true))
    }

    @Test("failures older than the window are forgotten; a success forgives")
    func failureWindow() {
        var p = SIPSourcePolicy(configuration: Self.config)
        _ = p.authenticationFailed(source: "198.51.100.1", account: "a", now: 0)
        _ = p.authenticationFailed(source: "198.51.100.1", account: "a", now: 1)
        #expect(p.authenticationFailed(source: "198.51.100.1", account: "a", now: 70) == .accept)
        p.authenticationSucceeded(source: "198.51.100.1", account: "a", now: 71)
        #expect(p.authenticationFailed(source: "198.51.100.1", account: "a", now: 72) == .accept)
        #expect(p.authenticationFailed(source: "198.51.100.1", account: "a", now: 73) == .accept)
    }

    @Test("the table of sources is bounded; idle sources are forgotten, banned ones kept")
    func bounded() {
        var config = Self.config
        config.maxTrackedSources = 100
        var p = SIPSourcePolicy(configuration: config)
        for _ in 0...10 { _ = p.admit(source: "198.51.100.1", isInvite: false, now: 0) } // banned
        for i in 0..<500 { #expect(p.admit(source: "10.0.\(i / 250).\(i % 250)", isInvite: false, now: 0.001 * Double(i)) == .accept) }
        #expect(p.trackedSources <= 100)
        for i in 0..<500 { _ = p.admit(source: "10.1.\(i / 250).\(i % 250)", isInvite: false, now: 20 + 0.001 * Double(i)) }
        #expect(p.trackedSources <= 100)
        #expect(p.isBanned("198.51.100.1", now: 21))
    }
}
