import CoolFusionTestModels
import CoolFusionTokenizers

/// Token ids for the session tests on the synthetic models, which have no golden files: fixed texts
/// in each model's own tokens, long enough to cross the cache's 32-position blocks.
enum SyntheticTokens {
    static let prompts = [
        "Question: What is two plus three? Answer: five. Question: What is one plus four?",
        "The capital of France is Paris, and the capital of the answer is a question of count.",
        "count: one, two, three, four, five; and then: five, four, three, two, one, and the end.",
        "Question: is the answer to the question two? Answer: the answer is three plus one.",
        "In France, the count is one; in Paris, the count is two; the answer is in the question.",
        "one plus one is two, two plus one is three, three plus one is four, four plus one is five",
    ]
    static let continuation = " and the answer is five, so the capital of France is Paris: count one, two, three."

    static func tokens(_ model: SyntheticModel, prompt index: Int) throws -> (prompt: [Int32], continuation: [Int32]) {
        let tokenizer = try Tokenizer(path: try model.path())
        return (tokenizer.encodePrompt(prompts[index]), tokenizer.encode(continuation))
    }
}
