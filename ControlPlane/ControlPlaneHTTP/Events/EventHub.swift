import Foundation

/// Fans out real-time events (from media nodes) to the WebSocket streams of their tenant.
///
/// In-process: with several control-plane instances behind a load balancer, a node's events reach
/// only the subscribers of the instance it posted to. The next step is to relay through PostgreSQL
/// LISTEN/NOTIFY (every instance listens and fans out); the publish/subscribe surface stays the same.
actor EventHub {
    private var subscribers: [UUID: [UUID: AsyncStream<Data>.Continuation]] = [:]
    /// Events a slow subscriber may have queued before the oldest are dropped.
    let bufferLimit: Int

    init(bufferLimit: Int = 1000) { self.bufferLimit = bufferLimit }

    /// A new stream of `tenantID`'s events, or nil when the tenant already has `limit` streams.
    func subscribe(tenantID: UUID, limit: Int = .max) -> (id: UUID, events: AsyncStream<Data>)? {
        guard (subscribers[tenantID]?.count ?? 0) < limit else { return nil }
        let id = UUID()
        let (stream, continuation) = AsyncStream<Data>.makeStream(bufferingPolicy: .bufferingNewest(bufferLimit))
        subscribers[tenantID, default: [:]][id] = continuation
        return (id, stream)
    }

    func unsubscribe(tenantID: UUID, id: UUID) {
        subscribers[tenantID]?[id]?.finish()
        subscribers[tenantID]?[id] = nil
        if subscribers[tenantID]?.isEmpty == true { subscribers[tenantID] = nil }
    }

    func publish(tenantID: UUID, payload: Data) {
        for continuation in subscribers[tenantID]?.values ?? [:].values {
            continuation.yield(payload)
        }
    }

    func subscriberCount(tenantID: UUID) -> Int { subscribers[tenantID]?.count ?? 0 }
}
