import Testing

extension Tag {
    /// Needs the real control plane on a private PostgreSQL (ControlPlaneHarness) and real HTTP.
    @Tag static var system: Self
}
