import Testing

extension Tag {
    /// No database, no sockets: runs in milliseconds. (`system` is in Tags.swift.)
    @Tag static var unit: Self
}
