import Foundation

/// Reference outputs recorded from llama.cpp by scripts/golden_engine.py.
struct Golden: Decodable {
    struct Prompt: Decodable {
        let text: String
        let prompt_tokens: [Int32]
        let prompt_logprobs: [Float]
        let greedy_tokens: [Int32]
        let greedy_logprobs: [Float]
    }
    let model: String
    let llama_cpp_python: String
    let threads: Int
    let prompts: [Prompt]

    static func load(_ alias: String) throws -> Golden {
        guard let url = Bundle.module.url(forResource: alias, withExtension: "json", subdirectory: "Golden") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Golden/\(alias).json"])
        }
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }
}
