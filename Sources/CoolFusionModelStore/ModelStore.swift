import CoolFusionGGUF
import Foundation

/// Where models live, and how a name a user types becomes a GGUF path.
///
/// A name is either a default model's alias (fetched on first use) or a path to any GGUF file.
/// The folder is `$COOLFUSION_MODELS`, else `~/.cache/coolfusion/models`. A file appears there
/// only by an atomic rename after its SHA-256 was verified, so a file at a default model's path is
/// always a complete, verified model.
public struct ModelStore: Sendable {
    public let directory: URL

    public init(directory: URL? = nil) {
        if let directory {
            self.directory = directory
        } else if let configured = ProcessInfo.processInfo.environment["COOLFUSION_MODELS"], !configured.isEmpty {
            self.directory = URL(fileURLWithPath: configured, isDirectory: true)
        } else {
            self.directory = FileManager.default.homeDirectoryForCurrentUser
                .appendingPathComponent(".cache/coolfusion/models", isDirectory: true)
        }
    }

    /// Where a default model's file is (whether or not it is present).
    public func path(of model: DefaultModel) -> String {
        directory.appendingPathComponent(model.fileName).path
    }

    public func isPresent(_ model: DefaultModel) -> Bool {
        FileManager.default.fileExists(atPath: path(of: model))
    }

    /// Turns an alias or a path into the path of a GGUF file, fetching a missing default model
    /// when `fetchIfMissing` (progress lines go to `progress`).
    public func resolve(_ name: String, fetchIfMissing: Bool = true,
                        progress: @escaping @Sendable (String) -> Void = ModelStore.printToStandardError) throws -> String {
        if let model = DefaultModel.named(name) {
            if isPresent(model) { return path(of: model) }
            guard fetchIfMissing else { throw ModelStoreError.io("\(name) is not downloaded; run `coolfusion models fetch \(name)`") }
            return try fetch(model, progress: progress)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory), !isDirectory.boolValue {
            return name
        }
        throw ModelStoreError.unknownModel(name)
    }

    /// Makes sure `model` is present and verified; returns its path. Idempotent: a present file is
    /// re-verified (when `verifyExisting`) but not downloaded again. Concurrent fetches of the same
    /// model (several processes or tests) wait for each other on a lock file.
    @discardableResult
    public func fetch(_ model: DefaultModel, verifyExisting: Bool = false,
                      progress: @escaping @Sendable (String) -> Void = ModelStore.printToStandardError) throws -> String {
        try createDirectory()
        let lock = try FileLock(path: directory.appendingPathComponent(".\(model.alias).lock").path)
        defer { lock.unlock() }
        let destination = path(of: model)
        if FileManager.default.fileExists(atPath: destination) {
            if verifyExisting {
                progress("\(model.alias): verifying \(model.fileName)")
                let digest = try Self.sha256(ofFileAt: destination)
                guard digest == model.sha256 else {
                    throw ModelStoreError.checksumMismatch(model: model.alias, expected: model.sha256, actual: digest)
                }
            }
            progress("\(model.alias): present at \(destination)")
            return destination
        }
        try ModelFetcher(model: model, directory: directory, progress: progress).fetch(to: destination)
        return destination
    }

    private func createDirectory() throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ModelStoreError.io("cannot create models folder \(directory.path): \(error.localizedDescription)")
        }
    }

    /// SHA-256 of a file as lowercase hex, read in 4 MiB chunks.
    public static func sha256(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ModelStoreError.io("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 4 << 20) ?? Data()
            } catch {
                throw ModelStoreError.io("cannot read \(path): \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalizeHex()
    }

    public static let printToStandardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
