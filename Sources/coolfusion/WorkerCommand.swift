import ArgumentParser
import CoolFusionModelStore
import CoolFusionServer
import Foundation
import Hummingbird
import NIOCore

/// `coolfusion worker --model MODEL [--host H] [--port P]`: host one source model for a remote
/// `coolfusion serve --worker URL` master (the worker protocol), plus vLLM-shaped `/v1/completions`,
/// `/tokenize` and `/detokenize`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Host one source model over HTTP for a fusing master (coolfusion serve --worker URL).")

    @Option(help: "A default model alias or a GGUF path.")
    var model: String

    @Option(help: "Name reported to the master (default: the alias or file name).")
    var name: String?

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port; the chosen one is printed).")
    var port = 8101

    @Option(help: "Free sessions unused for this many seconds.")
    var sessionTimeout = 300

    @Option(help: "Refuse new sessions beyond this many (503).")
    var maxSessions = 64

    @Option(help: "Cap the model's context length (tokens).")
    var contextLength: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard sessionTimeout >= 1 else { throw ValidationError("--session-timeout must be at least 1 second") }
        guard maxSessions >= 1 else { throw ValidationError("--max-sessions must be at least 1") }
        if let contextLength, contextLength < 2 { throw ValidationError("--context-length must be at least 2") }
    }

    func run() async throws {
        let path = try ModelStore().resolve(model)
        let hosted = try HostedModel(path: path, name: name ?? GenerateCommand.displayName(model), contextLength: contextLength)
        let worker = WorkerServer(hosted: hosted, idleTimeout: .seconds(sessionTimeout), maximumSessions: maxSessions)
        let reaper = Task { await worker.reapIdleSessions(every: .seconds(max(1, min(30, sessionTimeout / 4)))) }
        defer { reaper.cancel() }
        let label = hosted.name
        let app = Application(
            router: worker.makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "coolfusion-worker"),
            onServerRunning: { channel in
                ServerAnnouncement.listening(what: "worker \(label)", channel: channel)
            })
        try await app.runService()
    }
}

/// The line tests and scripts wait for: `listening on http://HOST:PORT`, flushed at once.
enum ServerAnnouncement {
    static func listening(what: String, channel: any Channel) {
        let address = channel.localAddress
        let host = address?.ipAddress ?? "?"
        let port = address?.port ?? 0
        // Unbuffered, so a parent process reading a pipe sees the line at once.
        FileHandle.standardOutput.write(Data("coolfusion \(what) listening on http://\(host):\(port)\n".utf8))
    }
}
