import Foundation

/// Runs a program found on PATH and collects its combined output.
enum ProcessRunner {
    struct Result {
        var status: Int32
        var output: String
        /// The last lines of the output, enough to show what failed.
        var outputTail: String {
            output.split(separator: "\n", omittingEmptySubsequences: false).suffix(15).joined(separator: "\n")
        }
    }

    /// - Parameter environment: variables set for the child on top of this process's environment.
    static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ModelStoreError.io("cannot run \(program): \(error.localizedDescription)")
        }
        // Read before waiting so a chatty child cannot block on a full pipe.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
