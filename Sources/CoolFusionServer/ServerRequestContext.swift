import Hummingbird
import NIOCore

/// The request context of both servers: a larger upload limit (tokenizer packages are megabytes).
/// (A client that hangs up is noticed on the request's inbound stream: `FusionServer.watchingClient`.)
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { 64 * 1024 * 1024 }
}
