import Foundation

/// Which models of one generation were dropped after their worker failed (`--drop-failed-workers`).
/// A drop is refused when it would leave no working model, so the last failure still ends the request.
/// The other models read it to leave a dropped model's word boundaries out of their segment cuts.
final class DropLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var working: Int
    private var notes: [String] = []
    private var indices: Set<Int> = []

    init(modelCount: Int) { working = modelCount }

    /// Records the drop of model `index` (`name`); false when it is the last working model.
    func drop(_ index: Int, name: String, reason: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard working > 1 else { return false }
        working -= 1
        indices.insert(index)
        notes.append("\(name) dropped: \(reason)")
        return true
    }

    var dropped: [String] {
        lock.lock()
        defer { lock.unlock() }
        return notes
    }

    /// Indices (in the fusion's model order) of the dropped models.
    var droppedIndices: Set<Int> {
        lock.lock()
        defer { lock.unlock() }
        return indices
    }
}
