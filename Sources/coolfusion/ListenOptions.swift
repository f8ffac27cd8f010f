import ArgumentParser
import CoolFusionServer
import Foundation
import Hummingbird
import NIOCore

/// The options `serve` and `worker` share: where to listen, and the context cap of the models they
/// load; and running a router there until SIGINT/SIGTERM.
struct ListenOptions: ParsableArguments {
    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port; the chosen one is printed). Default: 8100 for serve, 8101 for worker.")
    var port: Int?

    @Option(help: "Cap the context length of the models loaded here (tokens).")
    var contextLength: Int?

    @Option(help: "Close a connection that sends no complete request part (head, body chunk) for this many seconds while no answer is being written: half-sent heads, stalled bodies, idle keep-alive.")
    var idleTimeout = 30.0

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if let contextLength, contextLength < 2 { throw ValidationError("--context-length must be at least 2") }
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be positive") }
    }

    /// Serves `router` until the process is asked to stop (graceful: running requests finish or are
    /// cancelled), announcing `listening on http://HOST:PORT` once bound.
    func run(_ router: Router<ServerRequestContext>, defaultPort: Int, serverName: String, what: String) async throws {
        let app = Application(
            router: router,
            server: ServerTransport.http1(idleTimeout: .milliseconds(Int64(idleTimeout * 1000))),
            configuration: .init(address: .hostname(host, port: port ?? defaultPort), serverName: serverName),
            onServerRunning: { channel in Self.announce(what: what, channel: channel) })
        ForcedExit.install()
        try await app.runService()
    }

    /// The line tests and scripts wait for: `coolfusion WHAT listening on http://HOST:PORT`, at once.
    static func announce(what: String, channel: any Channel) {
        let address = channel.localAddress
        let host = address?.ipAddress ?? "?"
        let port = address?.port ?? 0
        // Unbuffered, so a parent process reading a pipe sees the line at once.
        FileHandle.standardOutput.write(Data("coolfusion \(what) listening on http://\(host):\(port)\n".utf8))
    }
}
