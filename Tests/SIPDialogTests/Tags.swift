import Testing

extension Tag {
    /// Pure code, no sockets or processes: runs in milliseconds.
    @Tag static var unit: Self
}
