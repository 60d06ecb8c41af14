import Testing

/// The test tiers of this target (the README's `--filter`/tag advice): `unit` runs in milliseconds,
/// `system` needs the harness.
extension Tag {
    /// No database, no sockets: runs in milliseconds.
    @Tag static var unit: Self
    /// Needs the real control plane on a private PostgreSQL (ControlPlaneHarness) and real HTTP.
    @Tag static var system: Self
}
