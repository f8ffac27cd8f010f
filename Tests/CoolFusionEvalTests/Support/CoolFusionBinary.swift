import Foundation

/// Runs the `coolfusion` executable built beside this test bundle.
enum CoolFusionBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The build products folder holds both the test bundle and the executable.
    static var url: URL {
        let folders = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
                       URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        return folders.map { $0.appendingPathComponent("coolfusion") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? folders[0].appendingPathComponent("coolfusion")
    }

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        // Output goes to files, so neither pipe can fill up and stall a long run.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coolfusion-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOf: outURL, encoding: .utf8),
                      stderr: try String(contentsOf: errURL, encoding: .utf8))
    }
}

enum BuildMode {
    /// Real models are far too slow in debug builds (DESIGN.md §4): their tests run with `-c release`.
    static var isRelease: Bool {
        #if DEBUG
        return false
        #else
        return true
        #endif
    }
}
