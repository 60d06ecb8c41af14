/// Decoded audio ready to play: 8 kHz mono linear samples (a prompt, music, a tone burst).
public struct PromptAudio: Sendable, Hashable {
    public var samples: [Int16]
    public init(samples: [Int16]) { self.samples = samples }
    /// Duration in ms.
    public var durationMs: Int { samples.count / 8 }
}

/// One entry of a playback list.
public enum PlaybackItem: Sendable, Hashable {
    /// Decoded prompt audio.
    case audio(PromptAudio)
    /// A tone for a duration (a cadenced tone keeps its cadence).
    case tone(Tone, durationMs: Int)
    /// Silence.
    case silence(durationMs: Int)
}

/// A list of items cut into fixed-size frames; loops for music on hold. Pure: the caller's
/// timer asks for one frame per packetisation interval.
public struct PlaybackQueue: Sendable {
    public let items: [PlaybackItem]
    public let loops: Bool
    public let frameSize: Int
    private var index = 0
    private var position = 0
    private var tone: ToneGenerator?

    public init(items: [PlaybackItem], loops: Bool = false, frameSize: Int = 160) {
        self.items = items
        self.loops = loops
        self.frameSize = frameSize
    }

    /// True when every item has played and the queue does not loop.
    public var isFinished: Bool { !loops && index >= items.count }

    /// The next frame (padded with silence at the very end), or nil when finished.
    public mutating func nextFrame() -> [Int16]? {
        // A looping list whose last item ended exactly on a frame starts again here.
        guard !items.isEmpty, loops || index < items.count else { return nil }
        var frame: [Int16] = []
        frame.reserveCapacity(frameSize)
        while frame.count < frameSize {
            if index >= items.count {
                guard loops else { break }
                index = 0
            }
            let need = frameSize - frame.count
            switch items[index] {
            case .audio(let audio):
                let take = min(need, audio.samples.count - position)
                if take > 0 { frame.append(contentsOf: audio.samples[position..<position + take]) }
                position += max(take, 0)
                if position >= audio.samples.count { advance() }
            case .tone(let spec, let durationMs):
                if tone == nil { tone = ToneGenerator(tone: spec) }
                let take = min(need, durationMs * 8 - position)
                if take > 0 { frame.append(contentsOf: tone!.next(take)) }
                position += max(take, 0)
                if position >= durationMs * 8 { advance() }
            case .silence(let durationMs):
                let take = min(need, durationMs * 8 - position)
                if take > 0 { frame.append(contentsOf: repeatElement(0, count: take)) }
                position += max(take, 0)
                if position >= durationMs * 8 { advance() }
            }
            if loops, index >= items.count, items.allSatisfy(\.isEmpty) { break }
        }
        if frame.isEmpty { return nil }
        if frame.count < frameSize { frame.append(contentsOf: repeatElement(0, count: frameSize - frame.count)) }
        return frame
    }

    private mutating func advance() {
        index += 1
        position = 0
        tone = nil
    }
}

extension PlaybackItem {
    var isEmpty: Bool {
        switch self {
        case .audio(let a): a.samples.isEmpty
        case .tone(_, let ms), .silence(let ms): ms <= 0
        }
    }
}
