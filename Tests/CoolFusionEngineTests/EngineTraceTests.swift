import CoolFusionEngine
import Foundation
import Testing

/// Writes the engine's intermediates for one golden prompt, for scripts/engine_trace.py to compare
/// with llama.cpp's. Runs only when CF_TRACE_OUT names an output directory (a debugging aid);
/// CF_TRACE_ALIAS (default smollm2-135m) and CF_TRACE_PROMPT (default 0) pick the prompt;
/// CF_TRACE_DECODE=1 traces the single-token step after it instead.
@Suite struct EngineTraceTests {
    static let environment = ProcessInfo.processInfo.environment

    @Test(.enabled(if: environment["CF_TRACE_OUT"] != nil))
    func dumpIntermediates() throws {
        let alias = Self.environment["CF_TRACE_ALIAS"] ?? "smollm2-135m"
        let promptIndex = Int(Self.environment["CF_TRACE_PROMPT"] ?? "0") ?? 0
        let folder = URL(fileURLWithPath: try #require(Self.environment["CF_TRACE_OUT"])).appendingPathComponent(alias)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let golden = try Golden.load(alias)
        let tokens = golden.prompts[promptIndex].prompt_tokens
        let session = try TestModels.model(alias).makeSession()
        var index: [[String: Any]] = []
        let trace: ForwardTrace = { name, rows, cols, values in
            let file = "\(index.count).f32"
            let data = Data(bytes: values, count: rows * cols * MemoryLayout<Float>.size)
            try? data.write(to: folder.appendingPathComponent(file))
            index.append(["name": name, "rows": rows, "cols": cols, "file": file])
        }
        if Self.environment["CF_TRACE_DECODE"] == "1" {
            // Trace the single-token step after the prompt (llama.cpp's first greedy token).
            try session.append(tokens)
            session.trace = trace
            try session.append([golden.prompts[promptIndex].greedy_tokens[0]])
        } else {
            session.trace = trace
            try session.append(tokens)
        }
        let json = try JSONSerialization.data(withJSONObject: index, options: [.prettyPrinted])
        try json.write(to: folder.appendingPathComponent("index.json"))
        #expect(!index.isEmpty)
    }
}
