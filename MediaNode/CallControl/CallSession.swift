import Foundation
import IVREngine
import RTPCore
import MediaEngine
import SIPUserAgent

/// One inbound call on the node: the caller's leg, its progress through queue and agent, and the
/// timestamps the CDR is built from. Owned by `CallRuntime`.
struct CallSession: Sendable {
    enum Phase: Hashable, Sendable { case answering, ivr, queued, connected, voicemail, ended }

    /// Node-chosen call id: the CDR id and the ACD's call id.
    let id: String
    let tenantID: String
    let inbound: SIPCall
    let callerLeg: MediaLeg
    let caller: String
    let did: String
    var phase: Phase = .answering
    var queueID: String?
    /// The call's offers to agents' phones, one or many at once (ring-all): see `AgentOffers`.
    var offers = AgentOffers()
    /// The INVITEs ringing agents' phones, by offer: cancelling one sends CANCEL (RFC 3261 §9.1).
    var ringing: [AgentOffers.OfferID: Task<(call: SIPCall, answer: SessionBody?), any Error>] = [:]
    var agentID: String?
    var agentCall: SIPCall?
    var agentLeg: MediaLeg?
    var bridge: MediaBridge?
    /// What the bridge carries while a phone holds (`CallRuntime+SessionModification`).
    var holdMedia: CallHold.Media = .talking
    var disposition: CdrDisposition?
    var hangupReason: String?
    var ivrPath: [String] = []
    var ivrInputs: [String: String] = [:]
    /// Flow variables when the IVR handed the call over (screen-pop payload).
    var ivrVariables: [String: String] = [:]
    /// Feeds the call's IVR while it runs (keys, prompt ends, timers, HTTP results).
    var ivrEvents: AsyncStream<IVRCallDriver.Event>.Continuation?
    /// The newest playback the caller leg reported ended, and whether it played to its end.
    var lastEndedPlayback: (playback: PlaybackID, finished: Bool)?
    /// Those waiting for a playback on the caller leg to end (see `CallRuntime.playbackEnd`).
    var playbackWaiters: [PlaybackID: CheckedContinuation<Bool, Never>] = [:]
    /// The caller's language (tenant default, then the IVR's): announcements are spoken in it.
    var language: String
    /// What the caller hears while waiting (the queue's prompt, else the node default).
    var musicOnHold: [PlaybackItem] = []
    /// A position / wait announcement is playing instead of the music.
    var announcing = false
    /// The latest write of the call's live record (see `CdrSpool.recordLive`); writes are chained.
    var journalWrite: Task<Void, Never>?
    /// Positions the queue announced to the caller (screen pop: how the wait went).
    var positionHistory: [(at: Date, position: Int)] = []
    /// Priority and variables the call joined its first queue with (kept for an overflow queue).
    var enqueuePriority = 0
    var enqueueAttributes: [String: String] = [:]
    /// A voicemail being recorded, and the CDR's recording reference.
    var voicemail: CallRecording?
    var recording: String?
    /// An agent answered and the bridge is being set up: nothing may start playing to the caller.
    var connecting: Bool { offers.isConnecting }
    var log: [(at: Date, type: String, detail: String?)] = []

    let startedAt: Date
    var ivrEndedAt: Date?
    var queuedAt: Date?
    var offeredAt: Date?
    var answeredAt: Date?

    init(id: String, tenantID: String, inbound: SIPCall, callerLeg: MediaLeg, caller: String, did: String, language: String,
         startedAt: Date) {
        self.language = language
        self.id = id
        self.tenantID = tenantID
        self.inbound = inbound
        self.callerLeg = callerLeg
        self.caller = caller
        self.did = did
        self.startedAt = startedAt
    }

    mutating func record(_ type: String, _ detail: String? = nil, at: Date) {
        log.append((at, type, detail))
    }
}

/// How a call ended, in CDR terms.
enum CdrDisposition: String, Sendable {
    case answered, abandoned, completed, overflowed, voicemail, failed
    case nodeFailure = "node_failure"
}

/// Who ended the call.
enum HangupParty: String, Sendable { case caller, agent, system }
