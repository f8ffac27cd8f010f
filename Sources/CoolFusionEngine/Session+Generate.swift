import CoolFusionTokenizers

/// A token chosen during generation and its log-probability under the model (before any
/// temperature or truncation the sampler applied).
public struct GeneratedToken: Sendable, Equatable {
    public let id: TokenID
    public let logProbability: Float
}

extension Session {
    /// Generates up to `maxTokens` tokens, appending each to the session. Stops before a token in
    /// `stopTokens` (which is not appended) or when `onToken` returns false (after appending it).
    @discardableResult
    public func generate(maxTokens: Int, sampler: inout Sampler, stopTokens: Set<TokenID> = [],
                         onToken: (GeneratedToken) -> Bool = { _ in true }) throws(EngineError) -> [GeneratedToken] {
        guard !logits.isEmpty else { throw .emptyInput("generation needs a prompt (append at least one token)") }
        var generated: [GeneratedToken] = []
        while generated.count < maxTokens, let id = sampler.sample(logits) {
            if stopTokens.contains(id) { break }
            let token = GeneratedToken(id: id, logProbability: try logProbability(of: id))
            try append([id])
            generated.append(token)
            if !onToken(token) { break }
        }
        return generated
    }
}
