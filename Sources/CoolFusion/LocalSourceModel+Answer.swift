import CoolFusionTokenizers
/// Whole answers written by this model alone: the `single` method and the candidates of `rerank`.
extension LocalSourceModel {
    public func generateAnswer(maxTokens: Int, stopSequences: [String]) throws -> GeneratedAnswer {
        guard !ended else { throw FusionError.generationEnded(model: name) }
        try restoreCommittedState()
        var tokens: [TokenID] = []
        var bytes: [UInt8] = []
        var endedByModel = false
        var text = ""
        defer { try? restoreCommittedState() }
        while tokens.count < maxTokens {
            if let previous = tokens.last { try session.append([previous]) }
            greedySteps += 1
            let next = try session.greedyNext()
            if tokenizer.isEndOfGeneration(next.token) {
                endedByModel = true
                break
            }
            tokens.append(next.token)
            bytes += tokenizer.bytes(of: next.token)
            if !stopSequences.isEmpty, UTF8Prefix.isComplete(bytes) {
                let sofar = UTF8Prefix.text(bytes)
                if let stop = StopSequences.firstMatch(in: sofar, stopSequences: stopSequences) {
                    text = String(sofar[..<stop])
                    return GeneratedAnswer(text: text, endedByModel: false, tokenCount: tokens.count)
                }
            }
        }
        text = UTF8Prefix.text(bytes[..<UTF8Prefix.validLength(bytes)])
        return GeneratedAnswer(text: text, endedByModel: endedByModel, tokenCount: tokens.count)
    }

    /// Returns the session to the committed state (dropping pending tokens) with the next-token
    /// distribution after it available.
    func restoreCommittedState() throws {
        try rollBackToCommitted()
    }
}
