import NIOCore
import RTPCore

/// How a call is written to WAV.
public enum RecordingLayout: Sendable, Hashable {
    /// 16-bit stereo: first leg (caller) left, second leg (agent) right.
    case stereo
    /// 16-bit mono: both parties mixed.
    case mixedMono
}

/// A running recording. Each party's audio is placed on the file's timeline by its RTP
/// timestamps (silence where a party sent nothing), so the file's timeline is the call's.
/// `pause()` writes silence (e.g. while a card number is read out) until `resume()`.
public final class CallRecording: Sendable {
    public let path: String
    public let layout: RecordingLayout
    let state: NIOLoopBound<RecorderState>
    let legs: [MediaLeg]
    let tapID: UInt32

    init(path: String, layout: RecordingLayout, state: NIOLoopBound<RecorderState>, legs: [MediaLeg], tapID: UInt32) {
        self.path = path
        self.layout = layout
        self.state = state
        self.legs = legs
        self.tapID = tapID
    }

    static func start(path: String, layout: RecordingLayout, left: MediaLeg, right: MediaLeg, jitterDepth: Int) async throws -> CallRecording {
        try await start(path: path, layout: layout, legs: [left, right], jitterDepth: jitterDepth)
    }

    /// One or two legs; one leg is written as mono (a voicemail).
    static func start(path: String, layout: RecordingLayout, legs: [MediaLeg], jitterDepth: Int) async throws -> CallRecording {
        let left = legs[0]
        let writer = try WAVFileWriter(path: path, format: .pcm(bitsPerSample: 16), channels: layout == .stereo ? 2 : 1)
        let loop = left.eventLoop
        let state = try await loop.submit {
            let recorder = RecorderState(loop: loop, layout: layout, writer: writer, jitterDepth: jitterDepth)
            recorder.start()
            return NIOLoopBound(recorder, eventLoop: loop)
        }.get()
        let tapID = UInt32.random(in: 1...UInt32.max)
        for (channel, leg) in legs.enumerated() {
            try await leg.run { legState in
                legState.taps[tapID] = { frame in
                    onLoop(state.eventLoop) {
                        state.value.push(channel: channel, ssrc: frame.ssrc, timestamp: frame.timestamp, samples: frame.samples)
                    }
                }
            }
        }
        return CallRecording(path: path, layout: layout, state: state, legs: legs, tapID: tapID)
    }

    /// Writes silence from now on, keeping the timeline (PCI masking).
    public func pause() async throws {
        try await state.eventLoop.submit { self.state.value.paused = true }.get()
    }

    /// Writes the parties' audio again.
    public func resume() async throws {
        try await state.eventLoop.submit { self.state.value.paused = false }.get()
    }

    /// Stops, flushes and closes the file; returns its duration in ms.
    @discardableResult
    public func stop() async throws -> Int {
        for leg in legs { try? await leg.run { [tapID] in $0.taps[tapID] = nil } }
        let writer = try await state.eventLoop.submit { self.state.value.stop() }.get()
        let bytes = await writer.close()
        let frameBytes = layout == .stereo ? 4 : 2
        return bytes / frameBytes / 8
    }
}

/// Loop-confined recorder: one timeline track per party, placed by RTP timestamp; every
/// 20 ms the part of the timeline older than `latency` is written (silence where a party
/// sent nothing), so loop stalls shorter than the latency lose nothing.
final class RecorderState {
    let loop: any EventLoop
    let layout: RecordingLayout
    let writer: WAVFileWriter
    /// Samples of slack between a packet's arrival and its write (500 ms).
    let latency: Int64 = 4000
    var tracks = [TimelineTrack(), TimelineTrack()]
    /// Timeline intervals to write as silence (PCI masking).
    private var pausedIntervals: [(start: Int64, end: Int64?)] = []
    private let startedAt = NIODeadline.now()
    private var ticker: PacedTicker?
    private var pending: [UInt8] = []
    private var ticks = 0

    var paused: Bool {
        get { pausedIntervals.last.map { $0.end == nil } ?? false }
        set {
            let now = position()
            if newValue, !paused { pausedIntervals.append((now, nil)) }
            if !newValue, paused { pausedIntervals[pausedIntervals.count - 1].end = now }
        }
    }

    init(loop: any EventLoop, layout: RecordingLayout, writer: WAVFileWriter, jitterDepth: Int) {
        self.loop = loop
        self.layout = layout
        self.writer = writer
    }

    /// Current timeline position (samples since the recording started).
    private func position() -> Int64 {
        Int64((NIODeadline.now() - startedAt).nanoseconds / 125_000)
    }

    func start() {
        let ticker = PacedTicker(loop: loop, interval: .milliseconds(20)) { [unowned self] in tick() }
        self.ticker = ticker
        ticker.start()
    }

    func push(channel: Int, ssrc: UInt32, timestamp: UInt32, samples: [Int16]) {
        tracks[channel].insert(ssrc: ssrc, timestamp: timestamp, samples: samples, arrival: position())
    }

    private func tick() {
        emit(upTo: position() - latency)
        ticks += 1
        if ticks % 10 == 0 { flush() }  // every 200 ms
    }

    private func emit(upTo end: Int64) {
        let from = tracks[0].head
        guard end > from else { return }
        var left = tracks[0].take(upTo: end)
        var right = tracks[1].take(upTo: end)
        for interval in pausedIntervals {
            let lower = max(interval.start, from)
            let upper = min(interval.end ?? .max, end)
            guard lower < upper else { continue }
            for i in Int(lower - from)..<Int(upper - from) {
                left[i] = 0
                right[i] = 0
            }
        }
        pending.reserveCapacity(pending.count + left.count * 4)
        for i in 0..<left.count {
            switch layout {
            case .stereo:
                append(left[i])
                append(right[i])
            case .mixedMono:
                append(Int16(clamping: Int32(left[i]) + Int32(right[i])))
            }
        }
    }

    private func append(_ sample: Int16) {
        pending.append(UInt8(truncatingIfNeeded: sample))
        pending.append(UInt8(truncatingIfNeeded: sample >> 8))
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        writer.append(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes everything received so far and stops.
    func stop() -> WAVFileWriter {
        ticker?.stop()
        ticker = nil
        emit(upTo: max(position(), tracks[0].end, tracks[1].end))
        flush()
        return writer
    }
}
