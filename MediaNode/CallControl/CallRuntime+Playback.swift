import Foundation
import MediaEngine
import RTPCore

extension CallRuntime {
    /// Starts playing to the caller (replacing what plays); nil when nothing was played.
    func startPlayback(_ id: String, _ items: [PlaybackItem], loop: Bool = false, bargeIn: Bool = false) async -> PlaybackID? {
        guard !items.isEmpty, let leg = calls[id]?.callerLeg else { return nil }
        return try? await leg.play(items, loop: loop, bargeIn: bargeIn)
    }

    /// Returns when `playback` has ended: true when it played to its end, false when it was stopped
    /// (barge-in, replaced, bridged) or the call ended. The leg may report the end before `play`
    /// returned to its caller: the newest end it reported is kept for that.
    func playbackEnd(_ id: String, _ playback: PlaybackID) async -> Bool {
        if let ended = calls[id]?.lastEndedPlayback, ended.playback.rawValue >= playback.rawValue {
            return ended.playback == playback && ended.finished
        }
        return await withCheckedContinuation { continuation in
            if calls[id] == nil { continuation.resume(returning: false) } else { calls[id]?.playbackWaiters[playback] = continuation }
        }
    }

    /// The caller leg reported a playback's end.
    func playbackEnded(_ id: String, _ playback: PlaybackID, finished: Bool) {
        guard calls[id] != nil else { return }
        if (calls[id]?.lastEndedPlayback?.playback.rawValue ?? 0) <= playback.rawValue {
            calls[id]?.lastEndedPlayback = (playback, finished)
        }
        calls[id]?.playbackWaiters.removeValue(forKey: playback)?.resume(returning: finished)
    }

    /// Ends call `id` from the node's side: BYE to the caller, the CDR with `disposition` (when
    /// given) and `reason`.
    func end(_ id: String, disposition: CdrDisposition? = nil, reason: String) async {
        guard let inbound = calls[id]?.inbound else { return }
        if let disposition { calls[id]?.disposition = disposition }
        calls[id]?.hangupReason = reason
        await inbound.hangUp()
        await finish(id, by: .system)
    }
}
