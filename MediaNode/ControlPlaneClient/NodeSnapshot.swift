package import ControlPlaneAPI
import Foundation

/// The node's configuration snapshot as the control plane sent it (`NodeConfigSnapshot`).
package typealias NodeSnapshot = Components.Schemas.NodeConfigSnapshot

extension Components.Schemas.NodeConfigSnapshot {
    /// JSON coding for the persisted copy (dates as RFC 3339, like the wire).
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
