import CoolFusionEngine
import CoolFusionRemote
import CoolFusionTokenizers
import Foundation

/// The worker's `POST /v1/completions`: greedy generation on a fresh session, with vLLM's `echo` and
/// `logprobs` shapes, so that the OpenAI-compatible adapter (and any vLLM client) can score prompt
/// tokens through our worker exactly as through vLLM.
///
/// With `echo` and `logprobs`, the answer's `logprobs` start with every prompt token (the first with a
/// null log-probability, as vLLM does) followed by the generated ones; `top_logprobs` are given for
/// generated tokens (the `logprobs` most probable ones) and null for prompt tokens.
struct CompletionScorer {
    let hosted: HostedModel
    /// Longest generation a request may ask for.
    static let maximumTokens = 4096

    func complete(_ request: OpenAIWire.CompletionRequest) throws -> OpenAIWire.CompletionResponse {
        let maxTokens = request.maxTokens ?? 16
        guard (0...Self.maximumTokens).contains(maxTokens) else {
            throw APIError.badRequest("max_tokens must be between 0 and \(Self.maximumTokens), got \(maxTokens)",
                                      param: "max_tokens")
        }
        if let n = request.n, n != 1 { throw APIError.badRequest("only n = 1 is supported, got \(n)", param: "n") }
        let topCount = request.logprobs ?? 0
        guard (0...20).contains(topCount) else {
            throw APIError.badRequest("logprobs must be between 0 and 20, got \(topCount)", param: "logprobs")
        }
        let vocabulary = hosted.tokenizer.vocabulary
        let prompt: [TokenID]
        switch request.prompt {
        case .text(let text):
            prompt = hosted.tokenizer.encodePrompt(text)
        case .tokens(let ids):
            for id in ids where id < 0 || id >= vocabulary.count {
                throw APIError.badRequest("token id \(id) is outside the vocabulary (0..<\(vocabulary.count))", param: "prompt")
            }
            prompt = ids.map { TokenID($0) }
        }
        guard !prompt.isEmpty else { throw APIError.badRequest("the prompt has no tokens", param: "prompt") }
        let context = hosted.contextLength
        guard prompt.count + maxTokens <= context else {
            throw APIError.badRequest("the prompt has \(prompt.count) tokens and max_tokens is \(maxTokens), "
                                      + "more than the model's context of \(context) tokens", param: "prompt")
        }
        let wantLogprobs = request.logprobs != nil
        let echo = request.echo ?? false
        let asIDs = request.returnTokensAsTokenIds ?? false
        let stops = request.stop?.sequences ?? []

        let session = hosted.model.makeSession()
        var promptLogprobs: [Double?] = [nil]
        try session.append([prompt[0]])
        // Score the rest of the prompt in chunks; each scored state is adopted (no recomputation).
        var start = 1
        while start < prompt.count {
            let chunk = Array(prompt[start..<min(prompt.count, start + 1024)])
            let scored = try session.score(candidates: [chunk])
            promptLogprobs += scored[0].logProbabilities.map { Double($0) }
            try session.commit(scored[0].session)
            start += chunk.count
        }

        var generated: [TokenID] = []
        var generatedLogprobs: [Double?] = []
        var generatedTop: [[String: Double]?] = []
        var bytes: [UInt8] = []
        var finish = "length"
        var stoppedText: String?
        while generated.count < maxTokens {
            guard let token = session.greedyToken() else { break }
            if vocabulary.endOfGeneration.contains(token) {
                finish = "stop"
                break
            }
            generated.append(token)
            if wantLogprobs {
                generatedLogprobs.append(Double(try session.logProbability(of: token)))
                generatedTop.append(topCount > 0 ? top(topCount, of: session.logits, asIDs: asIDs) : nil)
            }
            bytes += hosted.tokenizer.tokenBytes(token)
            if !stops.isEmpty {
                let sofar = String(decoding: bytes, as: UTF8.self)
                if let range = stops.compactMap({ sofar.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
                    stoppedText = String(sofar[..<range.lowerBound])
                    finish = "stop"
                    break
                }
            }
            if generated.count < maxTokens { try session.append([token]) }
        }
        let text = stoppedText ?? String(decoding: bytes, as: UTF8.self)

        let promptText = decodeText(prompt)
        var logprobs: OpenAIWire.Logprobs?
        if wantLogprobs {
            var entries = OpenAIWire.Logprobs()
            var offset = 0
            if echo {
                for (index, token) in prompt.enumerated() {
                    entries.tokens.append(label(token, asIDs: asIDs))
                    entries.tokenLogprobs.append(promptLogprobs[index])
                    entries.topLogprobs.append(nil)
                    entries.textOffset.append(offset)
                    offset += hosted.tokenizer.tokenBytes(token).count
                }
            }
            for (index, token) in generated.enumerated() {
                entries.tokens.append(label(token, asIDs: asIDs))
                entries.tokenLogprobs.append(generatedLogprobs[index])
                entries.topLogprobs.append(generatedTop[index])
                entries.textOffset.append(offset)
                offset += hosted.tokenizer.tokenBytes(token).count
            }
            logprobs = entries
        }
        let choice = OpenAIWire.CompletionChoice(text: (echo ? promptText : "") + text, logprobs: logprobs,
                                                 finishReason: finish)
        return OpenAIWire.CompletionResponse(
            id: "cmpl-" + UUID().uuidString.lowercased(), created: Int(Date().timeIntervalSince1970),
            model: hosted.name, choices: [choice],
            usage: .init(promptTokens: prompt.count, completionTokens: generated.count))
    }

    private func decodeText(_ tokens: [TokenID]) -> String {
        var bytes: [UInt8] = []
        for token in tokens { bytes += hosted.tokenizer.tokenBytes(token) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func label(_ token: TokenID, asIDs: Bool) -> String {
        asIDs ? "token_id:\(token)" : decodeText([token])
    }

    /// The `count` most probable next tokens and their log-probabilities, from raw logits.
    private func top(_ count: Int, of logits: [Float], asIDs: Bool) -> [String: Double] {
        guard let maximum = logits.max() else { return [:] }
        var sum = 0.0
        for value in logits { sum += exp(Double(value - maximum)) }
        let logNormalizer = Double(maximum) + log(sum)
        let best = logits.indices.sorted { logits[$0] > logits[$1] }.prefix(count)
        var result: [String: Double] = [:]
        for index in best {
            result[label(TokenID(index), asIDs: asIDs)] = Double(logits[index]) - logNormalizer
        }
        return result
    }
}
