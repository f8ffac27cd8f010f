import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// JSON over HTTP to one worker (ours or an OpenAI-compatible engine), every call bounded by a
/// timeout; failures become `RemoteModelError`s that name the worker and the operation.
public struct WorkerClient: Sendable {
    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:8101`.
    public let baseURL: String
    /// Display name used in errors (the model's name once known).
    public var workerName: String
    /// Longest wait for one call, connection included.
    public let timeout: Duration
    /// Largest answer body accepted.
    static let maximumAnswerBytes = 256 * 1024 * 1024

    let http: HTTPClient

    /// The HTTP client of worker calls: `HTTPClient.shared`'s settings, except that a refused or failed
    /// connection fails the call at once. (AsyncHTTPClient retries connecting with backoff until the
    /// call's deadline by default, so a worker that is down was only reported after the whole timeout.)
    public static let workerHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init(baseURL: String, workerName: String? = nil, timeout: Duration = .seconds(60),
                http: HTTPClient = WorkerClient.workerHTTP) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.workerName = workerName ?? url
        self.timeout = timeout
        self.http = http
    }

    /// A raw answer: status and body bytes.
    public struct Answer: Sendable {
        public var status: Int
        public var body: [UInt8]
    }

    /// Sends one request and collects the answer, whatever its status.
    public func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json",
                     operation: String) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(body)
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        let amount = TimeAmount.nanoseconds(Int64(seconds * 1e9))
        do {
            let response = try await http.execute(request, timeout: amount)
            let buffer = try await response.body.collect(upTo: Self.maximumAnswerBytes)
            return Answer(status: Int(response.status.code), body: Array(buffer.readableBytesView))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout
                    || error == .connectTimeout {
            throw RemoteModelError.timedOut(worker: workerName, url: baseURL, operation: operation, seconds: seconds)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw RemoteModelError.unreachable(worker: workerName, url: baseURL, operation: operation,
                                               reason: Self.describe(error))
        }
    }

    /// Sends `body` as JSON and decodes a 2xx answer as `Answer`; other statuses throw `failed`.
    public func call<Body: Encodable, Result: Decodable>(_ method: HTTPMethod, _ path: String, _ body: Body?,
                                                         as: Result.Type, operation: String) async throws -> Result {
        let bytes = try body.map { Array(try WireCoding.encoder().encode($0)) }
        let answer = try await send(method, path, body: bytes, operation: operation)
        try check(answer, operation: operation)
        return try decode(Result.self, from: answer.body, operation: operation)
    }

    /// Throws `failed` for a non-2xx answer, with the message of its error body when it has one.
    public func check(_ answer: Answer, operation: String) throws {
        guard !(200..<300).contains(answer.status) else { return }
        throw RemoteModelError.failed(worker: workerName, url: baseURL, operation: operation, status: answer.status,
                                      message: Self.errorMessage(answer.body))
    }

    public func decode<Result: Decodable>(_ type: Result.Type, from body: [UInt8], operation: String) throws -> Result {
        do {
            return try WireCoding.decoder().decode(Result.self, from: Data(body))
        } catch {
            throw RemoteModelError.malformedAnswer(worker: workerName, url: baseURL, operation: operation,
                                                   reason: String(describing: error))
        }
    }

    /// The message of an OpenAI-shaped error body, else the body's text (shortened).
    static func errorMessage(_ body: [UInt8]) -> String {
        if let parsed = try? WireCoding.decoder().decode(APIErrorBody.self, from: Data(body)) {
            return parsed.error.message
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        return text.isEmpty ? "(no body)" : text
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("remoteConnectionClosed") { return "the worker closed the connection" }
        if text.contains("Connection reset") || text.contains("ECONNRESET") { return "connection reset by the worker" }
        return text
    }
}
