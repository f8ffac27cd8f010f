import CoolFusionTokenizers
/// Whole answers written by this model alone: the `single` method and the candidates of `rerank`.
extension LocalSourceModel {
    public func generateAnswer(maxTokens: Int, stopSequences: [String]) throws -> GeneratedAnswer {
        try prepareForStep()
        try rollBackToCommitted()
        var tokens: [TokenID] = []
        var bytes: [UInt8] = []
        var endedByModel = false
        var text = ""
        // The answer's tokens stay in the session until the state is next used (see
        // `prepareForStep`), so a `single` run pays nothing for restoring it.
        phase = .answered
        while tokens.count < maxTokens {
            if let previous = tokens.last { try session.append([previous]) }
            greedySteps += 1
            let next = try nextToken()
            if tokenizer.isEndOfGeneration(next.token) {
                endedByModel = true
                break
            }
            tokens.append(next.token)
            bytes += tokenizer.bytes(of: next.token)
            if !stopSequences.isEmpty, UTF8Prefix.isComplete(bytes) {
                if let stop = StopSequences.firstStart(inUTF8: bytes, stopSequences: stopSequences) {
                    text = String(decoding: bytes[..<stop], as: UTF8.self)
                    return GeneratedAnswer(text: text, endedByModel: false, tokenCount: tokens.count)
                }
            }
        }
        text = UTF8Prefix.text(bytes[..<UTF8Prefix.validLength(bytes)])
        return GeneratedAnswer(text: text, endedByModel: endedByModel, tokenCount: tokens.count)
    }
}
