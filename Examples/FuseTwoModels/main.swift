// Fuse two models with different tokenizers and print each segment as it is committed, with the model
// that wrote it. Run: swift run -c release fuse-two-models [MODEL MODEL [PROMPT]]
// (MODEL: a default alias, fetched on first use, or a GGUF path).
import CoolFusion
import CoolFusionLocal
import CoolFusionModelStore
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let names = arguments.count >= 2 ? Array(arguments[0..<2]) : ["smollm2-135m", "qwen2.5-coder-0.5b"]
let prompt = arguments.count >= 3 ? arguments[2] : "Question: A farmer has 3 cows and buys 4 more. How many cows?\nAnswer:"

let store = ModelStore()
let models = try names.map { try EngineSourceModel.load(path: try store.resolve($0), name: $0) }
let options = FusionOptions(method: .cool, maxTokens: 48, stopSequences: ["\n\n"],
                            selection: try SelectionRules.make("vote"))
let decoder = try FusionDecoder(models: models, options: options)
let result = try await decoder.generate(prompt: prompt) { segment in
    let writer = segment.candidates[segment.winner].model.map { names[$0] } ?? "cool"
    print("[\(writer)] \(segment.text.debugDescription)")
}
print("\n\(result.text)\n(\(result.stats.segments) segments in \(String(format: "%.1f", result.stats.seconds)) s)")
