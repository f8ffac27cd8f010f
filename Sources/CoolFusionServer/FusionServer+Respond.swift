import CoolFusion
import CoolFusionRemote
import Foundation
import Hummingbird
import NIOCore

/// Running a validated request: admission (503 when the queue is full), the fused generation in its
/// own task (so a client that hangs up cancels it), and the answer, whole or as server-sent events.
extension FusionServer {
    /// What a finished run produced.
    struct Outcome: Sendable {
        var result: FusionResult
        var dropped: [String]
    }

    /// Progress of a streamed run.
    enum Event: Sendable {
        case segment(FusionSegment)
        case finished(Outcome)
        case failed(any Error)
    }

    func respond(plan: GenerationPlan, shape: ResponseShape, stream: Bool, request: Request) async throws -> Response {
        do {
            try await queue.acquire()
        } catch is GenerationQueue.Full {
            throw APIError(.serviceUnavailable, "the server is busy: \(configuration.concurrency) generations running and "
                           + "\(configuration.queueLimit) waiting; retry later", type: "server_busy").retryingAfter(1)
        }
        let created = Int(Date().timeIntervalSince1970)
        return stream
            ? streamed(plan: plan, shape: shape, created: created, request: request)
            : try await whole(plan: plan, shape: shape, created: created, request: request)
    }

    /// Runs one fused generation on fresh per-request models, closing them (worker sessions) at the end.
    func run(_ plan: GenerationPlan, onSegment: (@Sendable (FusionSegment) -> Void)?) async throws -> Outcome {
        let ledger = DropLedger(modelCount: members.count)
        let models = members.enumerated().map { index, member in
            ServedSourceModel(inner: member.makeSourceModel(), index: index, splitter: member.splitter, ledger: ledger,
                              mayDrop: configuration.dropFailedWorkers && member.isRemote)
        }
        let options = FusionOptions(
            method: plan.method, maxTokens: plan.maxTokens, stopSequences: plan.stop,
            segmentTokenCap: configuration.segmentTokenCap, selection: plan.selection,
            concurrent: configuration.concurrentModels, gate: plan.gate,
            sampling: plan.sampling)
        do {
            let decoder = try FusionDecoder(models: models, options: options)
            let result = try await decoder.generate(prompts: plan.prompts, onSegment: onSegment)
            await Self.close(models)
            let dropped = ledger.dropped
            for note in dropped { logger.warning("\(note)") }
            return Outcome(result: result, dropped: dropped)
        } catch {
            await Self.close(models)
            throw error
        }
    }

    /// Closes every model of a generation at once (a worker that failed is not waited on: see
    /// `RemoteSourceModel.close`), on every way out of it: answer, error or cancellation.
    static func close(_ models: [ServedSourceModel]) async {
        await withTaskGroup(of: Void.self) { group in
            for model in models { group.addTask { await model.close() } }
        }
    }

    /// Starts the generation in its own task, which gives back the queue slot the moment it ends (and
    /// counts it as cancelled when it ended because it was cancelled).
    private func start(_ plan: GenerationPlan,
                       onSegment: (@Sendable (FusionSegment) -> Void)?) -> Task<Outcome, any Error> {
        let queue = self.queue
        return Task {
            do {
                let outcome = try await self.run(plan, onSegment: onSegment)
                await queue.release(.finished)
                return outcome
            } catch {
                await queue.release(Task.isCancelled ? .cancelled : .finished)
                throw error
            }
        }
    }

    /// Runs `body` while watching the request's connection: when the client closes it, `onClientGone`
    /// runs. Hummingbird only sees the close as the end of the request's inbound stream (the channel
    /// stays half-open, so `closeFuture` does not fire and writes may still succeed), so this reads on
    /// past the request body; the connection is closed after the answer (hence `Connection: close`).
    /// The body must have been collected with `Request.collectBody` (`RequestBody.decode(_:from:&:)`),
    /// which keeps the connection's stream under it; Hummingbird traps on a body replaced otherwise.
    static func watchingClient<T: Sendable>(_ request: Request, onClientGone: @escaping @Sendable () -> Void,
                                            _ body: () async throws -> T) async throws -> T {
        try await request.body.consumeWithInboundCloseHandler({ _ in try await body() }, onInboundClosed: onClientGone)
    }

    /// The answer to a generation that stopped because it was cancelled (its client went away, or the
    /// server is shutting down).
    static let cancelledAnswer = APIError(
        .serviceUnavailable, "the generation was cancelled (the client closed the connection or the server is stopping)",
        type: "cancelled")

    private func whole(plan: GenerationPlan, shape: ResponseShape, created: Int, request: Request) async throws -> Response {
        let task = start(plan, onSegment: nil)
        let outcome: Outcome
        do {
            outcome = try await withTaskCancellationHandler {
                try await Self.watchingClient(request, onClientGone: { task.cancel() }) { try await task.value }
            } onCancel: {
                task.cancel()
            }
        } catch is CancellationError {
            throw Self.cancelledAnswer
        } catch {
            throw ErrorMapping.apiError(error)
        }
        let body = shape.answer(plan, outcome.result, dropped: outcome.dropped, created: created)
        return Response(status: .ok, headers: [.contentType: "application/json", .connection: "close"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try WireCoding.encoder().encode(body))))
    }

    private func streamed(plan: GenerationPlan, shape: ResponseShape, created: Int, request: Request) -> Response {
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let generation = start(plan) { segment in continuation.yield(.segment(segment)) }
        let task = Task {
            do {
                continuation.yield(.finished(try await generation.value))
            } catch {
                continuation.yield(.failed(error))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in generation.cancel() }
        let methodName = plan.method.rawValue
        let names = members.map(\.name)
        let logger = self.logger
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[.connection] = "close"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            do {
                try await Self.watchingClient(request, onClientGone: { generation.cancel() }) {
                    if let opening = shape.opening(created: created, methodName: methodName, models: names, warnings: plan.warnings) {
                        try await writer.write(Self.event(opening))
                    }
                    // Text that could be the start of a stop sequence is held back until the next segment
                    // shows it is not (else the whole answer, cut at the stop, would differ from the stream).
                    var received: [FusionSegment] = []
                    var sent = 0
                    for await event in events {
                        switch event {
                        case .segment(var segment):
                            // When a stop sequence begins in an earlier segment, the decoder reports that
                            // earlier segment again, cut short (same candidates): replace it, don't append.
                            if let earlier = received.lastIndex(where: {
                                $0.candidates == segment.candidates && $0.text.hasPrefix(segment.text)
                            }) {
                                received = Array(received[..<earlier]) + [segment]
                            } else {
                                received.append(segment)
                            }
                            let fused = received.map(\.text).joined()
                            let safe = StopSequences.streamableLength(of: fused, stopSequences: plan.stop)
                            let bytes = Array(fused.utf8)
                            segment.text = safe > sent ? String(decoding: bytes[sent..<safe], as: UTF8.self) : ""
                            sent = max(sent, safe)
                            try await writer.write(Self.event(shape.chunk(segment, created: created, methodName: methodName,
                                                                          models: names)))
                        case .finished(let outcome):
                            let final = Array(outcome.result.text.utf8)
                            let rest = final.count > sent ? String(decoding: final[sent...], as: UTF8.self) : ""
                            try await writer.write(Self.event(shape.closing(plan, outcome.result, dropped: outcome.dropped,
                                                                            created: created, remainder: rest)))
                        case .failed(let error):
                            let mapped = error is CancellationError ? Self.cancelledAnswer : ErrorMapping.apiError(error)
                            let body = (mapped as? APIError)?.body
                                ?? APIErrorBody(error: .init(message: String(describing: error), type: "server_error"))
                            if error is CancellationError {
                                logger.info("streamed generation cancelled")
                            } else {
                                logger.error("streamed generation failed: \(body.error.message)")
                            }
                            try await writer.write(Self.event(body))
                        }
                    }
                    try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                    try await writer.finish(nil)
                }
            } catch {
                // The client is gone (a write failed) or the server is stopping: stop generating.
                generation.cancel()
                task.cancel()
                throw error
            }
        })
    }

    /// One server-sent event: `data: {json}` and a blank line.
    static func event(_ value: any Encodable) throws -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(try WireCoding.encoder().encode(value))
        buffer.writeString("\n\n")
        return buffer
    }
}
