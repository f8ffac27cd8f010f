import Hummingbird
import NIOCore

/// The request context of both servers: the connection's channel (to notice a client that hangs up
/// while its answer is being generated) and a larger upload limit (tokenizer packages are megabytes).
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Nil under the in-process test framework's router mode.
    public let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public var maxUploadSize: Int { 64 * 1024 * 1024 }
}
