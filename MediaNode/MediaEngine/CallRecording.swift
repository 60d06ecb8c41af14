import NIOCore
import RTPCore

/// How a call is written to WAV.
public enum RecordingLayout: Sendable, Hashable {
    /// 16-bit stereo: first leg (caller) left, second leg (agent) right.
    case stereo
    /// 16-bit mono: both parties mixed.
    case mixedMono
}

/// A running recording. Every 20 ms it writes one frame per party from a jitter buffer
/// (silence where a party sent nothing), so the file's timeline is the call's timeline.
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
        let writer = try WAVFileWriter(path: path, format: .pcm(bitsPerSample: 16), channels: layout == .stereo ? 2 : 1)
        let loop = left.eventLoop
        let state = try await loop.submit {
            let recorder = RecorderState(loop: loop, layout: layout, writer: writer, jitterDepth: jitterDepth)
            recorder.start()
            return NIOLoopBound(recorder, eventLoop: loop)
        }.get()
        let tapID = UInt32.random(in: 1...UInt32.max)
        for (channel, leg) in [left, right].enumerated() {
            try await leg.run { legState in
                legState.taps[tapID] = { sequence, samples in
                    onLoop(state.eventLoop) { state.value.push(channel: channel, sequence: sequence, samples: samples) }
                }
            }
        }
        return CallRecording(path: path, layout: layout, state: state, legs: [left, right], tapID: tapID)
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

/// Loop-confined recorder: two jitter buffers, a 20 ms ticker, batched writes.
final class RecorderState {
    let loop: any EventLoop
    let layout: RecordingLayout
    let writer: WAVFileWriter
    var buffers: [JitterBuffer<[Int16]>]
    var paused = false
    private var ticker: PacedTicker?
    private var pending: [UInt8] = []
    private var ticks = 0

    init(loop: any EventLoop, layout: RecordingLayout, writer: WAVFileWriter, jitterDepth: Int) {
        self.loop = loop
        self.layout = layout
        self.writer = writer
        buffers = [JitterBuffer(depth: jitterDepth), JitterBuffer(depth: jitterDepth)]
    }

    func start() {
        let ticker = PacedTicker(loop: loop, interval: .milliseconds(20)) { [unowned self] in tick() }
        self.ticker = ticker
        ticker.start()
    }

    func push(channel: Int, sequence: UInt16, samples: [Int16]) {
        buffers[channel].insert(sequence: sequence, frame: samples)
    }

    private func frame(_ channel: Int) -> [Int16] {
        if case .frame(let samples) = buffers[channel].pop(), samples.count == 160 { return samples }
        return [Int16](repeating: 0, count: 160)
    }

    private func tick() {
        var left = frame(0)
        var right = frame(1)
        if paused {
            left = [Int16](repeating: 0, count: 160)
            right = left
        }
        pending.reserveCapacity(pending.count + 640)
        for i in 0..<160 {
            switch layout {
            case .stereo:
                append(left[i])
                append(right[i])
            case .mixedMono:
                append(Int16(clamping: Int32(left[i]) + Int32(right[i])))
            }
        }
        ticks += 1
        if ticks % 10 == 0 { flush() }  // every 200 ms
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

    func stop() -> WAVFileWriter {
        ticker?.stop()
        ticker = nil
        flush()
        return writer
    }
}
