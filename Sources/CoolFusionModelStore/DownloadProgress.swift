import Foundation

/// Reports, every few seconds while a download runs, how many bytes are in a folder (pip writes the
/// wheel it is downloading into its temporary folder), and formats the progress line of a fetch.
final class DownloadProgress: @unchecked Sendable {
    private let flag = Flag()

    /// Starts watching `path`; `report` is called from a background thread until `stop()`.
    init(watching path: String, every interval: TimeInterval = 3, report: @escaping @Sendable (Int) -> Void) {
        let state = flag
        let thread = Thread {
            var last = -1
            while !state.isSet {
                Thread.sleep(forTimeInterval: interval)
                if state.isSet { break }
                let bytes = DownloadProgress.bytes(under: path)
                if bytes != last, bytes > 0 { report(bytes) }
                last = bytes
            }
        }
        thread.start()
    }

    /// Ends the reports (the last one may still be under way).
    func stop() { flag.set() }

    /// A set-once flag shared with the watching thread.
    private final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    /// The total size of the regular files at or under `path` (0 when there is nothing).
    static func bytes(under path: String) -> Int {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { return 0 }
        guard isDirectory.boolValue else {
            return (try? manager.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        }
        guard let names = manager.enumerator(atPath: path) else { return 0 }
        var total = 0
        for case let name as String in names {
            let attributes = try? manager.attributesOfItem(atPath: (path as NSString).appendingPathComponent(name))
            if attributes?[.type] as? FileAttributeType == .typeRegular { total += attributes?[.size] as? Int ?? 0 }
        }
        return total
    }

    /// `qwen2.5-coder-1.5b: 312.5 of 1117.3 MB downloaded (28%)`. Wheels are zip files, so the bytes
    /// downloaded can end slightly above or below the model's size; the share is capped at 100%.
    static func line(model: DefaultModel, bytes: Int) -> String {
        let total = Double(model.byteCount) / 1e6
        let share = min(100, Int(Double(bytes) / Double(max(model.byteCount, 1)) * 100))
        return "\(model.alias): " + String(format: "%.1f of %.1f MB downloaded (%d%%)", Double(bytes) / 1e6, total, share)
    }
}
