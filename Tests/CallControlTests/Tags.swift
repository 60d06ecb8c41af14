import Testing

extension Tag {
    /// Pure code, no sockets or processes: runs in milliseconds.
    @Tag static var unit: Self
    /// Real peers (PJSIP, SIPp), real sockets and media.
    @Tag static var system: Self
}
