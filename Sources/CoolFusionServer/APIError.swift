import CoolFusionRemote
import Foundation
import Hummingbird
import NIOCore

/// An error answer: a status and an OpenAI-shaped JSON body naming the problem (and the offending
/// parameter, when there is one).
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var body: APIErrorBody

    public init(_ status: HTTPResponse.Status, _ message: String, type: String? = nil, param: String? = nil,
                code: String? = nil, missing: [String]? = nil) {
        self.status = status
        let kind = type ?? (status.code < 500 ? "invalid_request_error" : "server_error")
        body = APIErrorBody(error: .init(message: message, type: kind, param: param, code: code, missing: missing))
    }

    public var description: String { "HTTP \(status.code): \(body.error.message)" }

    public static func badRequest(_ message: String, param: String? = nil) -> APIError {
        APIError(.badRequest, message, param: param)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = (try? WireCoding.encoder().encode(body)) ?? Data(#"{"error":{"message":"error","type":"server_error"}}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
