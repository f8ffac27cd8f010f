import ArgumentParser
import CoolFusionServer
import Foundation

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

    @Option(help: "Free sessions unused for this many seconds.")
    var sessionTimeout = 300

    @Option(help: "Refuse new sessions beyond this many (503).")
    var maxSessions = 64

    @OptionGroup var listen: ListenOptions

    func validate() throws {
        guard sessionTimeout >= 1 else { throw ValidationError("--session-timeout must be at least 1 second") }
        guard maxSessions >= 1 else { throw ValidationError("--max-sessions must be at least 1") }
    }

    func run() async throws {
        let path = try ModelOptions.path(of: model)
        let hosted = try HostedModel(path: path, name: name ?? ModelOptions.displayName(model),
                                     contextLength: listen.contextLength)
        let worker = WorkerServer(hosted: hosted, idleTimeout: .seconds(sessionTimeout), maximumSessions: maxSessions)
        let reaper = Task { await worker.reapIdleSessions(every: .seconds(max(1, min(30, sessionTimeout / 4)))) }
        defer { reaper.cancel() }
        try await listen.run(worker.makeRouter(), defaultPort: 8101, serverName: "coolfusion-worker",
                             what: "worker \(hosted.name)")
    }
}
