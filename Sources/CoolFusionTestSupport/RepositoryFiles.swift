import Foundation

/// Paths of files committed in this repository (found from this source file's location), and scratch
/// folders for tests.
public enum RepositoryFiles {
    public static var root: URL {
        // Sources/CoolFusionTestSupport/RepositoryFiles.swift → the repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The path of a committed file, e.g. `data/mixed_dev.jsonl`.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The same, throwing when the file is missing.
    public static func existing(_ relative: String) throws -> String {
        let path = path(relative)
        guard FileManager.default.fileExists(atPath: path) else { throw TestSupportError.missingRepositoryFile(relative) }
        return path
    }

    /// A fresh empty directory under the system temporary directory.
    public static func temporaryDirectory(_ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("coolfusion-tests-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}
