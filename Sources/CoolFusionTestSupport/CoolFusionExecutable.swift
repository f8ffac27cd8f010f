import Foundation

/// The `coolfusion` executable built beside the test bundle, and running it as a child process.
/// Shared by every test target that drives the real command line.
public enum CoolFusionExecutable {
    /// What a finished run printed and how it exited.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Folders the executable may be in: the build products folder holds the test bundle (or the
    /// test runner) and every executable of the package.
    private static var folders: [URL] {
        [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
         URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
    }

    /// The executable (`coolfusion`, or another executable of the package); throws (naming where it
    /// looked) when it was not built, so a test that needs it fails instead of passing without having run it.
    public static func url(named name: String = "coolfusion") throws -> URL {
        let candidates = folders.map { $0.appendingPathComponent(name) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestSupportError.missingExecutable(searched: candidates.map(\.path))
        }
        return found
    }

    /// Runs `coolfusion arguments...` to completion. Output goes to files, so neither stream can fill a
    /// pipe and stall a long run; `stdin`, when given, is written to its standard input.
    public static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                           executable: String = "coolfusion") throws -> Output {
        let process = Process()
        process.executableURL = try url(named: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coolfusion-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      stdout: try String(contentsOf: outURL, encoding: .utf8),
                      stderr: try String(contentsOf: errURL, encoding: .utf8))
    }
}
