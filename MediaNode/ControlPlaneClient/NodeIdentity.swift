import Foundation

/// The node's registration with a control plane: kept in the data directory so a restarted node
/// keeps its id (and the CDRs and calls it owns) instead of registering as a new node.
package struct NodeIdentity: Codable, Hashable, Sendable {
    package var nodeId: String
    /// The `ccn_...` credential; the file is mode 0600.
    package var credential: String
    /// The control plane that issued it; a different URL means registering again.
    package var controlPlaneURL: String

    package init(nodeId: String, credential: String, controlPlaneURL: String) {
        self.nodeId = nodeId
        self.credential = credential
        self.controlPlaneURL = controlPlaneURL
    }
}

/// Reads and writes `node-identity.json` and `config-snapshot.json` in the data directory,
/// each replaced atomically and durably (`DurableFile`).
package struct NodeStateDirectory: Sendable {
    package let path: String

    package init(path: String) throws(DurableFileError) {
        self.path = path
        try DurableFile.createDirectory(path)
    }

    var identityPath: String { path + "/node-identity.json" }
    var snapshotPath: String { path + "/config-snapshot.json" }

    /// The persisted identity, or nil (none yet, or unreadable — then the node registers again).
    package func loadIdentity() -> NodeIdentity? {
        guard let bytes = try? DurableFile.read(identityPath) else { return nil }
        return try? JSONDecoder().decode(NodeIdentity.self, from: Data(bytes))
    }

    package func saveIdentity(_ identity: NodeIdentity) throws {
        try DurableFile.write(Array(try JSONEncoder().encode(identity)), to: identityPath, permissions: 0o600)
    }

    package func removeIdentity() throws {
        try DurableFile.remove(identityPath)
    }

    /// The last configuration snapshot received, or nil.
    package func loadSnapshot() -> NodeSnapshot? {
        guard let bytes = try? DurableFile.read(snapshotPath) else { return nil }
        return try? NodeSnapshot.decoder.decode(NodeSnapshot.self, from: Data(bytes))
    }

    package func saveSnapshot(_ snapshot: NodeSnapshot) throws {
        try DurableFile.write(Array(try NodeSnapshot.encoder.encode(snapshot)), to: snapshotPath, permissions: 0o600)
    }
}
