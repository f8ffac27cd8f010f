import CoolFusionRemote
import Foundation
import Hummingbird
import NIOCore

/// An error answer: a status and an OpenAI-shaped JSON body naming the problem (and the offending
/// parameter, when there is one).
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var body: APIErrorBody
    /// Headers the answer carries besides its content type (`Retry-After`, `Allow`).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, type: String? = nil, param: String? = nil,
                code: String? = nil, missing: [String]? = nil) {
        self.status = status
        let kind = type ?? (status.code < 500 ? "invalid_request_error" : "server_error")
        body = APIErrorBody(error: .init(message: message, type: kind, param: param, code: code, missing: missing))
    }

    public var description: String { "HTTP \(status.code): \(body.error.message)" }

    /// This error with `Retry-After: seconds` (a 503 says when to try again).
    public func retryingAfter(_ seconds: Int) -> APIError {
        var error = self
        error.headers[.retryAfter] = String(seconds)
        return error
    }

    /// 405 for a path that exists with another method, naming the one it takes (`Allow`).
    public static func methodNotAllowed(_ path: String, allowed: String) -> APIError {
        var error = APIError(.methodNotAllowed, "\(path) takes \(allowed) requests", code: "method_not_allowed")
        error.headers[.allow] = allowed
        return error
    }

    public static func badRequest(_ message: String, param: String? = nil) -> APIError {
        APIError(.badRequest, message, param: param)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = (try? WireCoding.encoder().encode(body)) ?? Data(#"{"error":{"message":"error","type":"server_error"}}"#.utf8)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields,
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
