import Foundation

/// An opaque keyset-pagination cursor: the (created_at, id) of the last row of a page.
public struct PageCursor: Sendable, Equatable {
    /// Microseconds since the Unix epoch (PostgreSQL timestamp precision).
    public var microseconds: Int64
    public var id: UUID

    public init(microseconds: Int64, id: UUID) {
        self.microseconds = microseconds
        self.id = id
    }

    public var encoded: String {
        Data("\(microseconds)~\(id.uuidString)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public init(encoded: String) throws(ControlPlaneError) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        guard let data = Data(base64Encoded: base64),
              let text = String(data: data, encoding: .utf8),
              case let parts = text.split(separator: "~"), parts.count == 2,
              let microseconds = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
            throw ControlPlaneError(.badRequest, "cursor is not one this API returned; pass nextCursor from the previous page unchanged.")
        }
        self.init(microseconds: microseconds, id: id)
    }
}

/// A page request: how many rows and after which cursor.
public struct PageRequest: Sendable, Equatable {
    public var limit: Int
    public var after: PageCursor?

    public init(limit: Int?, cursor: String?) throws(ControlPlaneError) {
        let limit = limit ?? 50
        guard (1...200).contains(limit) else { throw ControlPlaneError(.badRequest, "limit must be between 1 and 200.") }
        self.limit = limit
        self.after = try cursor.map { (text: String) throws(ControlPlaneError) in try PageCursor(encoded: text) }
    }
}

/// One page of results.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
