/// Packets the engine has handled since it started, over all its legs (the node's metrics).
public struct MediaPacketTotals: Sendable, Hashable {
    /// Inbound RTP the packet loops relayed to a bridged peer.
    public var relayedByLoops: UInt64 = 0
    /// Inbound RTP the in-kernel relay sent on (KernelRelay).
    public var relayedByKernel: UInt64 = 0
    /// Inbound RTP counted by the legs' receive statistics (loops and kernel).
    public var received: UInt64 = 0
    /// Expected less received, per leg, never below zero (RFC 3550 A.3).
    public var lost: UInt64 = 0
    /// RTP/RTCP dropped because it did not come from the leg's peer (strict latching).
    public var foreign: UInt64 = 0

    public init() {}

    static func += (lhs: inout Self, rhs: Self) {
        lhs.relayedByLoops &+= rhs.relayedByLoops
        lhs.relayedByKernel &+= rhs.relayedByKernel
        lhs.received &+= rhs.received
        lhs.lost &+= rhs.lost
        lhs.foreign &+= rhs.foreign
    }
}

extension MediaEngine {
    /// The closed legs' final counts plus the open legs' current ones (each read on its loop, so
    /// nothing is added to the packet path). A leg closing meanwhile is counted at most once: the
    /// total can lag a moment, never double.
    public func packetTotals() async -> MediaPacketTotals {
        var total = closedLegTotals.withLockedValue { $0 }
        for leg in openLegs.withLockedValue({ Array($0.values) }) {
            if let counts = try? await leg.run({ $0.packetTotals }) { total += counts }
        }
        return total
    }

    /// On the leg's loop as it closes: its counts move to the closed-leg totals.
    func fold(closing state: LegState) {
        let counts = state.packetTotals
        state.packetTotalsFolded = true
        closedLegTotals.withLockedValue { $0 += counts }
    }
}

extension LegState {
    /// This leg's counts (on its loop); zero once folded into the engine's closed-leg totals.
    var packetTotals: MediaPacketTotals {
        guard !packetTotalsFolded else { return MediaPacketTotals() }
        syncFromKernel()
        var counts = MediaPacketTotals()
        counts.relayedByLoops = packetsRelayedByLoop
        counts.relayedByKernel = packetsRelayedByKernel
        counts.received = UInt64(packetsReceived)
        counts.lost = UInt64(max(0, statistics.cumulativeLost))
        counts.foreign = foreignPackets
        return counts
    }
}
