import Metrics

/// The CDR path's Prometheus series (through swift-metrics; the node's admin listener exports them).
package enum CdrMetrics {
    private static let deadLetters = Counter(label: "media_node_cdr_dead_letters_total")
    private static let uploadFailures = Counter(label: "media_node_cdr_upload_failures_total")

    /// A CDR the control plane will not take was moved to `rejected/`.
    package static func deadLettered() { deadLetters.increment() }
    /// An upload request failed (any reason).
    package static func uploadFailed() { uploadFailures.increment() }
}
