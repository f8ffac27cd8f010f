import CoolFusion
import CoolFusionRemote
import Foundation

/// Which OpenAI answer shape a generation is written in, and the pieces of it: whole answers and
/// server-sent-event chunks, for `/v1/completions` and `/v1/chat/completions`.
enum ResponseShape: Sendable {
    case completion(id: String, model: String)
    case chat(id: String, model: String)

    static func finishReason(_ stop: StopReason) -> String {
        stop == .maxTokens ? "length" : "stop"
    }

    static func usage(_ plan: GenerationPlan, _ result: FusionResult) -> OpenAIWire.Usage {
        OpenAIWire.Usage(promptTokens: plan.promptTokens.first ?? 0,
                         completionTokens: result.stats.committedTokens.first ?? 0)
    }

    static func info(_ plan: GenerationPlan, _ result: FusionResult, dropped: [String]) -> OpenAIWire.CoolFusionInfo {
        OpenAIWire.CoolFusionInfo(
            method: result.method.rawValue, models: result.models, segments: result.segments, stats: result.stats,
            promptTokensPerModel: plan.promptTokens, droppedModels: dropped.isEmpty ? nil : dropped,
            warnings: plan.warnings.isEmpty ? nil : plan.warnings, gate: result.gate)
    }

    /// The complete (non-streamed) answer.
    func answer(_ plan: GenerationPlan, _ result: FusionResult, dropped: [String], created: Int) -> any Encodable & Sendable {
        let usage = Self.usage(plan, result)
        let info = Self.info(plan, result, dropped: dropped)
        let finish = Self.finishReason(result.stats.stopReason)
        switch self {
        case .completion(let id, let model):
            return OpenAIWire.CompletionResponse(
                id: id, created: created, model: model,
                choices: [.init(text: result.text, finishReason: finish)], usage: usage, coolFusion: info)
        case .chat(let id, let model):
            return OpenAIWire.ChatResponse(
                id: id, object: "chat.completion", created: created, model: model,
                choices: [.init(index: 0, message: .init(content: result.text), finishReason: finish)],
                usage: usage, coolFusion: info)
        }
    }

    /// The first event of a stream (chat announces the assistant role), if the shape has one.
    func opening(created: Int, methodName: String, models: [String], warnings: [String]) -> (any Encodable & Sendable)? {
        guard case .chat(let id, let model) = self else { return nil }
        return OpenAIWire.ChatChunk(
            id: id, object: "chat.completion.chunk", created: created, model: model,
            choices: [.init(index: 0, delta: .init(role: "assistant", content: ""), finishReason: nil)],
            usage: nil,
            coolFusion: .init(method: methodName, models: models, warnings: warnings.isEmpty ? nil : warnings))
    }

    /// One event per committed segment.
    func chunk(_ segment: FusionSegment, created: Int, methodName: String, models: [String]) -> any Encodable & Sendable {
        let info = OpenAIWire.CoolFusionInfo(method: methodName, models: models, segments: [segment])
        switch self {
        case .completion(let id, let model):
            return OpenAIWire.CompletionResponse(id: id, created: created, model: model,
                                                 choices: [.init(text: segment.text, finishReason: nil)],
                                                 usage: nil, coolFusion: info)
        case .chat(let id, let model):
            return OpenAIWire.ChatChunk(id: id, object: "chat.completion.chunk", created: created, model: model,
                                        choices: [.init(index: 0, delta: .init(content: segment.text), finishReason: nil)],
                                        usage: nil, coolFusion: info)
        }
    }

    /// The last event: finish reason, usage and the run's statistics (segments were sent already).
    func closing(_ plan: GenerationPlan, _ result: FusionResult, dropped: [String], created: Int,
                 remainder: String = "") -> any Encodable & Sendable {
        var info = Self.info(plan, result, dropped: dropped)
        info.segments = nil
        let usage = Self.usage(plan, result)
        let finish = Self.finishReason(result.stats.stopReason)
        switch self {
        case .completion(let id, let model):
            return OpenAIWire.CompletionResponse(id: id, created: created, model: model,
                                                 choices: [.init(text: remainder, finishReason: finish)],
                                                 usage: usage, coolFusion: info)
        case .chat(let id, let model):
            return OpenAIWire.ChatChunk(id: id, object: "chat.completion.chunk", created: created, model: model,
                                        choices: [.init(index: 0, delta: .init(content: remainder.isEmpty ? nil : remainder),
                                                        finishReason: finish)],
                                        usage: usage, coolFusion: info)
        }
    }
}
