import CoolFusionModelStore
import CoolFusionServer
import CoolFusionTestModels
import Hummingbird
import HummingbirdTesting

/// The two smallest default models, loaded once per test process (weights are memory-mapped).
enum TestModels {
    private static let smolResult = Result { try HostedModel(path: try ModelStore().resolve("smollm2-135m"), name: "smollm2-135m") }
    private static let gemmaResult = Result { try HostedModel(path: try ModelStore().resolve("gemma3-270m"), name: "gemma3-270m") }

    static func smol() throws -> HostedModel { try smolResult.get() }
    static func gemma() throws -> HostedModel { try gemmaResult.get() }
}

/// The two synthetic models (byte-level BPE and SentencePiece), for tests of the protocols and the
/// adapters, whose outcome does not depend on the weights: they run in debug builds without downloads.
enum SyntheticPair {
    private static let bpeResult = Result { try HostedModel(path: try SyntheticModel.bytePairs.path(), name: SyntheticModel.bytePairs.name) }
    private static let spmResult = Result {
        try HostedModel(path: try SyntheticModel.sentencePiece.path(), name: SyntheticModel.sentencePiece.name)
    }

    static func bpe() throws -> HostedModel { try bpeResult.get() }
    static func spm() throws -> HostedModel { try spmResult.get() }
}

/// Runs `body` against a real `WorkerServer` listening on a free loopback port.
func withLiveWorker<T: Sendable>(_ hosted: HostedModel, idleTimeout: Duration = .seconds(120),
                                 _ body: @escaping @Sendable (String, WorkerServer) async throws -> T) async throws -> T {
    let worker = WorkerServer(hosted: hosted, idleTimeout: idleTimeout)
    let app = Application(router: worker.makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    return try await app.test(.live) { client in
        try await body("http://127.0.0.1:\(client.port ?? 0)", worker)
    }
}
