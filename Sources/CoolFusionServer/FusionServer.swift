import CoolFusion
import CoolFusionRemote
import Foundation
import Hummingbird
import Logging

/// `coolfusion serve`: the fused models as one OpenAI-compatible model (`/v1/completions`,
/// `/v1/chat/completions`, `/v1/models`, `/health`).
public final class FusionServer: Sendable {
    public let members: [any FusionMember]
    /// Each member's chat format, in member order.
    let chatTemplates: [ChatTemplate]
    public let configuration: ServeConfiguration
    let queue: GenerationQueue
    let logger: Logger
    /// The largest prompt and request body that can fit the members' contexts.
    let budget: RequestSizeBudget
    /// At most two of the largest prompts that can fit are tokenised at once.
    let tokenization: TokenizationGate

    public init(members: [any FusionMember], configuration: ServeConfiguration = ServeConfiguration(),
                logger: Logger = Logger(label: "coolfusion.serve")) throws {
        guard !members.isEmpty else { throw FusionError.noModels }
        self.members = members
        chatTemplates = members.map(\.chatFormat.template)
        self.configuration = configuration
        queue = GenerationQueue(concurrency: configuration.concurrency, queueLimit: configuration.queueLimit)
        self.logger = logger
        budget = RequestSizeBudget(members: members)
        tokenization = TokenizationGate(capacity: 2 * (budget.promptBytes.max() ?? 0))
    }

    /// Warnings about the setup (models that fall back to the plain chat format).
    public var warnings: [String] { members.compactMap(\.chatFormat.warning) }

    public func makeRouter() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: ErrorLoggingMiddleware())
        // The browser playground (docs/SERVER.md, Playground) and what it needs to know of this server.
        router.get("/") { _, _ in Playground.response() }
        router.get("/playground/config.json") { _, _ in JSONAnswer(self.playgroundSetup) }
        router.get("/health") { _, _ in
            let status = await self.queue.status
            let states = self.members.map(MemberState.init)
            return JSONAnswer(Health(status: states.allSatisfy { $0.state == "up" } ? "ok" : "degraded",
                                     models: self.members.map(\.name), members: states, running: status.running,
                                     waiting: status.waiting, finished: status.finished, cancelled: status.cancelled))
        }
        router.get("/v1/models") { _, _ in
            JSONAnswer(OpenAIWire.ModelList(object: "list", data: [
                .init(id: self.configuration.modelName, object: "model", created: 0, ownedBy: "coolfusion"),
            ]))
        }
        router.post("/v1/completions") { request, context in
            var request = request
            let body = try await RequestBody.decode(OpenAIWire.CompletionRequest.self, from: &request, context: context,
                                              limit: self.budget.bodyBytes)
            var bytes = 0
            if case .text(let prompt) = body.prompt { bytes = prompt.utf8.count }
            let plan = try await self.tokenization.admit(bytes: bytes) { try self.plan(body) }
            let shape = ResponseShape.completion(id: "cmpl-" + Self.newID(), model: body.model ?? self.configuration.modelName)
            return try await self.respond(plan: plan, shape: shape, stream: body.stream ?? false, request: request)
        }
        router.post("/v1/chat/completions") { request, context in
            var request = request
            let body = try await RequestBody.decode(OpenAIWire.ChatRequest.self, from: &request, context: context,
                                              limit: self.budget.bodyBytes)
            let bytes = body.messages.reduce(0) { $0 + $1.content.text.utf8.count }
            let plan = try await self.tokenization.admit(bytes: bytes) { try self.plan(body) }
            let shape = ResponseShape.chat(id: "chatcmpl-" + Self.newID(), model: body.model ?? self.configuration.modelName)
            return try await self.respond(plan: plan, shape: shape, stream: body.stream ?? false, request: request)
        }
        MethodGuard.add(to: router, routes: [("/", .get), ("/playground/config.json", .get), ("/health", .get), ("/v1/models", .get), ("/v1/completions", .post),
                                             ("/v1/chat/completions", .post)])
        return router
    }

    struct Health: Codable, Sendable {
        /// "ok", or "degraded" while a member is down.
        var status: String
        var models: [String]
        var members: [MemberState]
        var running: Int
        var waiting: Int
        /// Generations that ran to their end since the start.
        var finished: Int
        /// Generations stopped early because their client hung up.
        var cancelled: Int
    }

    /// One member as `/health` reports it: "up", or "down" with the failure that put it down and since
    /// when (Unix seconds).
    struct MemberState: Codable, Sendable {
        var name: String
        var state: String
        var reason: String?
        var downSince: Double?

        init(_ member: any FusionMember) {
            name = member.name
            switch member.reachability?.state ?? .up {
            case .up: state = "up"
            case .down(let why):
                state = "down"
                reason = why
                downSince = member.reachability?.downSince?.timeIntervalSince1970
            }
        }
    }

    /// What the playground may offer: the request fields this server honours, and its fixed settings.
    var playgroundSetup: Playground.Setup {
        Playground.Setup(model: configuration.modelName, models: members.map(\.name),
                         method: configuration.method.rawValue, selection: configuration.selection.name,
                         methods: GenerationPlan.methods(members: members, configuration: configuration).map(\.rawValue),
                         selections: SelectionRules.names.filter {
                             (try? GenerationPlan.namedRule($0, members: members, configuration: configuration)) != nil
                         },
                         tasks: configuration.taskSelections.keys.sorted(),
                         defaultMaxTokens: configuration.defaultMaxTokens, maxTokensLimit: configuration.maximumMaxTokens,
                         sampling: !members.contains(where: \.isRemote))
    }

    static func newID() -> String { UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "") }

    // MARK: Validation

    func plan(_ body: OpenAIWire.CompletionRequest) throws -> GenerationPlan {
        guard case .text(let prompt) = body.prompt else {
            throw APIError.badRequest("give the prompt as text: the fused models have different tokenizers, so token ids "
                                      + "mean nothing to all of them", param: "prompt")
        }
        guard !prompt.isEmpty else { throw APIError.badRequest("the prompt is empty", param: "prompt") }
        if body.logprobs != nil {
            throw APIError.badRequest("logprobs are not available from the fused model (its segments come from "
                                      + "different models); see cool_fusion.segments for perplexities", param: "logprobs")
        }
        if body.echo == true { throw APIError.badRequest("echo is not supported by the fused model", param: "echo") }
        return try GenerationPlan.make(
            prompts: members.map { _ in prompt }, members: members, maxTokens: body.maxTokens,
            stop: body.stop?.sequences ?? [], model: body.model, n: body.n, temperature: body.temperature,
            topP: body.topP, seed: body.seed,
            task: body.task, method: body.method, selection: body.selection,
            gate: GateRequest(leader: body.leader, signal: body.gateSignal, threshold: body.gateThreshold),
            warnings: [], configuration: configuration, budget: budget)
    }

    func plan(_ body: OpenAIWire.ChatRequest) throws -> GenerationPlan {
        guard !body.messages.isEmpty else { throw APIError.badRequest("messages must not be empty", param: "messages") }
        for (index, message) in body.messages.enumerated() where !["system", "user", "assistant"].contains(message.role) {
            throw APIError.badRequest("messages[\(index)].role '\(message.role)' is not one of system, user, assistant",
                                      param: "messages")
        }
        var stop = body.stop?.sequences ?? []
        for template in chatTemplates {
            for sequence in template.stopSequences where !stop.contains(sequence) { stop.append(sequence) }
        }
        let prompts = chatTemplates.map { $0.render(body.messages) }
        var plan = try GenerationPlan.make(
            prompts: prompts, members: members, maxTokens: body.maxCompletionTokens ?? body.maxTokens,
            stop: body.stop?.sequences ?? [], model: body.model, n: body.n, temperature: body.temperature,
            topP: body.topP, seed: body.seed,
            task: body.task, method: body.method, selection: body.selection,
            gate: GateRequest(leader: body.leader, signal: body.gateSignal, threshold: body.gateThreshold),
            warnings: warnings, configuration: configuration, budget: budget)
        plan.stop = stop
        return plan
    }
}
