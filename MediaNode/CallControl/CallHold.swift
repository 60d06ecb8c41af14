/// Hold on a bridged call, from either phone (RFC 3264 §8.4): a phone that offers `sendonly`,
/// `inactive` or `c=0.0.0.0` no longer wants our audio, so the node stops relaying and the other
/// party hears music on hold until the phone offers `sendrecv` again. Pure.
enum CallHold {
    /// What the bridge carries.
    enum Media: Hashable, Sendable {
        /// Both parties hear each other.
        case talking
        /// The caller holds: the agent hears the music (also when both hold: nobody is sent anything else).
        case musicToAgent
        /// The agent holds: the caller hears the music.
        case musicToCaller
    }

    /// The bridge's media given who holds. A party holds when the node no longer sends to it
    /// (its offer took away our sending direction).
    static func media(callerHolds: Bool, agentHolds: Bool) -> Media {
        switch (callerHolds, agentHolds) {
        case (false, false): .talking
        case (true, _): .musicToAgent
        case (false, true): .musicToCaller
        }
    }
}
