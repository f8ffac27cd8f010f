import CoolFusion
import CoolFusionTokenizers

/// A `coolfusion worker` as the master knows it: its info and its tokenizer, loaded once at startup
/// (the tokenizer package is downloaded and parsed here), then one `RemoteSourceModel` per generation.
public struct RemoteWorker: Sendable {
    public let info: WorkerAPI.Info
    public let package: TokenizerPackage
    public let splitter: PackagedWordSplitter
    public let client: WorkerClient
    /// Whether the worker answers, shared by every generation (`/health`, and not waiting on it again).
    public let health = WorkerHealth()

    public var name: String { info.name }
    public var url: String { client.baseURL }
    public var tokenizer: Tokenizer { splitter.tokenizer }

    /// Asks the worker at `url` who it is and fetches its tokenizer.
    public static func connect(url: String, timeout: Duration = .seconds(60)) async throws -> RemoteWorker {
        var client = WorkerClient(baseURL: url, timeout: timeout)
        let info = try await client.call(.GET, "/v1/worker", Optional<WorkerAPI.Open>.none, as: WorkerAPI.Info.self,
                                         operation: "info")
        client.workerName = info.name
        let answer = try await client.send(.GET, "/v1/worker/tokenizer", operation: "tokenizer download")
        try client.check(answer, operation: "tokenizer download")
        let package = TokenizerPackage(bytes: answer.body)
        guard package.digest == info.tokenizerDigest else {
            throw RemoteModelError.malformedAnswer(
                worker: info.name, url: client.baseURL, operation: "tokenizer download",
                reason: "the tokenizer's SHA-256 \(package.digest) differs from the advertised \(info.tokenizerDigest)")
        }
        let splitter: PackagedWordSplitter
        do {
            splitter = try PackagedWordSplitter(package: package)
        } catch {
            throw RemoteModelError.malformedAnswer(worker: info.name, url: client.baseURL, operation: "tokenizer download",
                                                   reason: "the tokenizer does not load: \(error)")
        }
        return RemoteWorker(info: info, package: package, splitter: splitter, client: client)
    }

    /// A source model for one generation: a new session on the worker, opened on first use.
    public func makeSourceModel() -> any SourceModel {
        RemoteSourceModel(worker: self)
    }
}
