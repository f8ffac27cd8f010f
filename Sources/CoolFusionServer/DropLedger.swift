import Foundation

/// Which models of one generation were dropped after their worker failed (`--drop-failed-workers`).
/// A drop is refused when it would leave no working model, so the last failure still ends the request.
final class DropLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var working: Int
    private var notes: [String] = []

    init(modelCount: Int) { working = modelCount }

    /// Records the drop of `name`; false when it is the last working model.
    func drop(_ name: String, reason: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard working > 1 else { return false }
        working -= 1
        notes.append("\(name) dropped: \(reason)")
        return true
    }

    var dropped: [String] {
        lock.lock()
        defer { lock.unlock() }
        return notes
    }
}
