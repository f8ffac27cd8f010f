import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// The HTTP/1 transport of `serve` and `worker`: Hummingbird's, with two limits it lacks by default.
///
/// - An idle timeout: a connection that sends no complete request part (head, body chunk or end) for
///   `idleTimeout` while no answer is being written is closed. That covers a client that sends half
///   a request head, one that stalls in its body, and idle keep-alive connections, so a connection's
///   file descriptor is never held forever. An answer being written (a long generation) is not idle.
/// - HTTP/1.0: such a request is answered in HTTP/1.0 with `Connection: close`, and the connection is
///   closed after the answer (HTTP/1.0 has no chunked bodies, so the close is what ends a body of
///   unknown length, and a client reading to the end would otherwise wait forever).
public enum ServerTransport {
    public static func http1(idleTimeout: Duration) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            ClosingHTTP1Channel(inner: HTTP1Channel(
                responder: responder,
                configuration: .init(idleTimeout: .nanoseconds(Int64(idleTimeout.components.seconds) * 1_000_000_000
                                                               + idleTimeout.components.attoseconds / 1_000_000_000))))
        }
    }
}

/// Hummingbird's HTTP/1 child channel with `HTTP10ConnectionHandler` between the HTTP decoder (which
/// still knows the request's version) and the conversion to version-less HTTP types.
struct ClosingHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(HTTP10ConnectionHandler(), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
