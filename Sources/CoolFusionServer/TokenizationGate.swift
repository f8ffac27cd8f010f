/// Bounds the memory of tokenising prompts at once: tokenising holds many times the prompt's bytes,
/// so requests wait (in arrival order) until the prompt bytes being tokenised, theirs included, are
/// within `capacity`. A prompt larger than the capacity waits until it is alone.
actor TokenizationGate {
    let capacity: Int
    private var inUse = 0
    private var waiting: [(bytes: Int, continuation: CheckedContinuation<Void, Never>)] = []

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Runs `body` (which tokenises a prompt of `bytes` bytes) once the bytes fit.
    func admit<T: Sendable>(bytes: Int, _ body: @Sendable () throws -> T) async throws -> T {
        let bytes = min(max(0, bytes), capacity)
        if !waiting.isEmpty || inUse + bytes > capacity {
            await withCheckedContinuation { waiting.append((bytes, $0)) }
        } else {
            inUse += bytes
        }
        defer { release(bytes) }
        return try body()
    }

    private func release(_ bytes: Int) {
        inUse -= bytes
        while let next = waiting.first, inUse + next.bytes <= capacity {
            waiting.removeFirst()
            inUse += next.bytes
            next.continuation.resume()
        }
    }
}
