/// A fixed-delay jitter buffer for decoded audio frames, ordered by RTP sequence number.
///
/// Used where audio is decoded (mixing, recording, in-band DTMF); plain relaying does not
/// buffer. Playout starts once `depth` frames are held; each `pop()` yields the next frame
/// in sequence or nil for a gap (the caller conceals it, e.g. with silence).
public struct JitterBuffer<Frame: Sendable>: Sendable {
    /// Frames held before playout starts (depth × ptime = added delay).
    public let depth: Int
    /// Frames kept at most; older ones are dropped when a burst overflows.
    public let capacity: Int
    private var frames: [UInt16: Frame] = [:]
    private var nextSequence: UInt16?
    private var playing = false
    /// Frames that arrived after their playout slot or twice.
    public private(set) var discarded = 0

    public init(depth: Int = 3, capacity: Int = 50) {
        self.depth = depth
        self.capacity = capacity
    }

    /// Number of frames held.
    public var count: Int { frames.count }

    /// Inserts a frame; returns false when it is late or a duplicate.
    @discardableResult
    public mutating func insert(sequence: UInt16, frame: Frame) -> Bool {
        if let next = nextSequence {
            let ahead = Int16(bitPattern: sequence &- next)
            if ahead < 0 || frames[sequence] != nil {
                discarded += 1
                return false
            }
            if Int(ahead) >= capacity {  // far ahead: the sender jumped; resynchronise
                frames.removeAll()
                nextSequence = sequence
                playing = false
            }
        } else {
            nextSequence = sequence
        }
        frames[sequence] = frame
        if let next = nextSequence, Int16(bitPattern: sequence &- next) < 0 { nextSequence = sequence }
        if frames.count >= depth { playing = true }
        return true
    }

    /// Next frame for playout: `.frame`, `.missing` (a gap) or `.buffering` (not started / empty).
    public mutating func pop() -> JitterBufferOutput<Frame> {
        guard playing, let next = nextSequence else { return .buffering }
        if frames.isEmpty {
            playing = false
            return .buffering
        }
        nextSequence = next &+ 1
        if let frame = frames.removeValue(forKey: next) { return .frame(frame) }
        return .missing
    }
}

/// Result of `JitterBuffer.pop()`.
public enum JitterBufferOutput<Frame: Sendable>: Sendable {
    case frame(Frame)
    case missing
    case buffering
}
