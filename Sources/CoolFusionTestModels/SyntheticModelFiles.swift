import Foundation

/// Where the synthetic models are written: a temporary folder of this process, each model once
/// (tests running in parallel share the file).
final class SyntheticModelFiles: @unchecked Sendable {
    static let shared = SyntheticModelFiles()

    private let lock = NSLock()
    private var paths: [SyntheticModel: String] = [:]
    private let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("coolfusion-synthetic-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")

    func path(of model: SyntheticModel) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let path = paths[model] { return path }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("\(model.name).gguf")
        try Data(model.bytes()).write(to: url, options: .atomic)
        paths[model] = url.path
        return url.path
    }
}
