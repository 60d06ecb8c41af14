import NIOConcurrencyHelpers

struct Timeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// State shared with NIO handlers or child processes that tests wait on: a waiter is resumed
/// by the update that satisfies it (a signal, not a sleep), or fails after a deadline.
final class WaitableState<S: Sendable>: Sendable {
    private struct Waiter {
        let extract: @Sendable (inout S) -> (any Sendable)?
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct Box {
        var value: S
        var waiters: [UInt64: Waiter] = [:]
        var next: UInt64 = 0
    }

    private let box: NIOLockedValueBox<Box>

    init(_ value: S) { box = NIOLockedValueBox(Box(value: value)) }

    var value: S { box.withLockedValue { $0.value } }

    /// Mutates the state and resumes every waiter it satisfies.
    func update(_ body: (inout S) -> Void) {
        let ready = box.withLockedValue { b -> [(CheckedContinuation<any Sendable, any Error>, any Sendable)] in
            body(&b.value)
            var ready: [(CheckedContinuation<any Sendable, any Error>, any Sendable)] = []
            for (id, waiter) in b.waiters.sorted(by: { $0.key < $1.key }) {
                if let result = waiter.extract(&b.value) {
                    b.waiters[id] = nil
                    ready.append((waiter.continuation, result))
                }
            }
            return ready
        }
        for (c, v) in ready { c.resume(returning: v) }
    }

    /// Waits until `extract` returns a value (it may consume part of the state).
    func wait<T: Sendable>(for what: String, seconds: Double, _ extract: @escaping @Sendable (inout S) -> T?) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await self.waitIndefinitely(extract) }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw Timeout(what: what)
            }
            do {
                let result = try await group.next()!
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Waits until `condition` holds.
    func wait(for what: String, seconds: Double, until condition: @escaping @Sendable (S) -> Bool) async throws {
        _ = try await wait(for: what, seconds: seconds) { (s: inout S) -> Bool? in condition(s) ? true : nil }
    }

    private func waitIndefinitely<T: Sendable>(_ extract: @escaping @Sendable (inout S) -> T?) async throws -> T {
        let id = box.withLockedValue { b -> UInt64 in
            b.next += 1
            return b.next
        }
        let result = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<any Sendable, any Error>) in
                let immediate = box.withLockedValue { b -> Result<any Sendable, any Error>? in
                    if let value = extract(&b.value) { return .success(value) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    b.waiters[id] = Waiter(extract: { extract(&$0) }, continuation: c)
                    return nil
                }
                if let immediate { c.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = box.withLockedValue { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
        return result as! T
    }
}
