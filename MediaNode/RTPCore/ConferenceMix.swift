/// Who hears whom in a conference (3-way calls, supervisor modes).
public enum ConferenceRole: Sendable, Hashable {
    /// Hears everyone, heard by everyone (also a supervisor in **barge** mode).
    case participant
    /// Supervisor **monitor**: hears everyone, heard by no one.
    case monitor
    /// Supervisor **whisper/coach**: hears everyone, heard only by `target`.
    case whisper(target: UInt32)
}

/// The pure mixing rule: for each listener, sum the frames of the parties it may hear,
/// never including its own (no echo of oneself), saturating to 16 bits.
public struct ConferenceMix: Sendable, Hashable {
    public private(set) var roles: [UInt32: ConferenceRole] = [:]

    public init() {}

    public mutating func set(_ id: UInt32, role: ConferenceRole) { roles[id] = role }
    public mutating func remove(_ id: UInt32) { roles[id] = nil }

    /// Whether `listener` hears `speaker`.
    public func hears(_ listener: UInt32, _ speaker: UInt32) -> Bool {
        guard listener != speaker, let role = roles[speaker], roles[listener] != nil else { return false }
        switch role {
        case .participant: return true
        case .monitor: return false
        case .whisper(let target): return listener == target
        }
    }

    /// The mix for every listener from this interval's decoded frames (missing speakers are silent).
    public func mix(_ frames: [UInt32: [Int16]], frameSize: Int = 160) -> [UInt32: [Int16]] {
        var out: [UInt32: [Int16]] = [:]
        for listener in roles.keys {
            var acc = [Int32](repeating: 0, count: frameSize)
            for (speaker, frame) in frames where hears(listener, speaker) {
                for i in 0..<min(frameSize, frame.count) { acc[i] += Int32(frame[i]) }
            }
            out[listener] = acc.map { Int16(clamping: $0) }
        }
        return out
    }
}
