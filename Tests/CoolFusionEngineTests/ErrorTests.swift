import CoolFusionEngine
import CoolFusionGGUF
import Foundation
import Testing

/// Bad input gives a typed error naming the problem, never a crash.
struct ErrorTests {
    /// A tiny llama-architecture GGUF with random F32 weights: D=8, F=16, L=1, H=2, Hkv=1, V=10.
    static func tinyLlama(architecture: String = "llama", contextLength: Int = 16,
                          edit: (inout [String: (GGMLType, [Int])]) -> Void = { _ in }) throws -> String {
        let d = 8, f = 16, v = 10, kv = 4
        var tensors: [String: (GGMLType, [Int])] = [
            "token_embd.weight": (.f32, [d, v]), "output_norm.weight": (.f32, [d]),
            "blk.0.attn_norm.weight": (.f32, [d]), "blk.0.attn_q.weight": (.f32, [d, d]),
            "blk.0.attn_k.weight": (.f32, [d, kv]), "blk.0.attn_v.weight": (.f32, [d, kv]),
            "blk.0.attn_output.weight": (.f32, [d, d]), "blk.0.ffn_norm.weight": (.f32, [d]),
            "blk.0.ffn_gate.weight": (.f32, [d, f]), "blk.0.ffn_up.weight": (.f32, [d, f]),
            "blk.0.ffn_down.weight": (.f32, [f, d]),
        ]
        edit(&tensors)
        var writer = GGUFWriter()
        writer.add("general.architecture", .string(architecture))
        writer.add("\(architecture).embedding_length", .uint32(UInt32(d)))
        writer.add("\(architecture).feed_forward_length", .uint32(UInt32(f)))
        writer.add("\(architecture).block_count", .uint32(1))
        writer.add("\(architecture).attention.head_count", .uint32(2))
        writer.add("\(architecture).attention.head_count_kv", .uint32(1))
        writer.add("\(architecture).context_length", .uint32(UInt32(contextLength)))
        var generator = SystemRandomNumberGenerator()
        for (name, (type, shape)) in tensors.sorted(by: { $0.key < $1.key }) {
            let count = shape.reduce(1, *)
            if type == .f32 {
                writer.addTensor(name, shape: shape, values: (0..<count).map { _ in Float.random(in: -0.5...0.5, using: &generator) })
            } else {
                let bytes = count / type.blockSize * type.blockBytes
                writer.addTensor(name, type: type, shape: shape, data: [UInt8](repeating: 0, count: bytes))
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-\(UUID().uuidString).gguf").path
        try Data(writer.bytes()).write(to: URL(fileURLWithPath: path))
        return path
    }

    func loadError(_ path: String) -> EngineError? {
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try Model(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test func tinyModelRuns() throws {
        let path = try Self.tinyLlama()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try Model(path: path)
        let session = model.makeSession()
        try session.append([1, 2, 3])
        #expect(session.logits.count == 10)
        #expect(session.logits.allSatisfy { $0.isFinite })
    }

    @Test func unsupportedArchitectureIsNamed() throws {
        let error = loadError(try Self.tinyLlama(architecture: "mamba"))
        #expect(error == .unsupportedArchitecture("mamba", supported: ["llama", "qwen2", "gemma3"]))
        #expect(error?.description.contains("mamba") == true)
    }

    @Test func missingTensorIsNamed() throws {
        let error = loadError(try Self.tinyLlama { $0["blk.0.ffn_up.weight"] = nil })
        #expect(error == .missingTensor("blk.0.ffn_up.weight"))
    }

    @Test func wrongShapeIsNamed() throws {
        let error = loadError(try Self.tinyLlama { $0["blk.0.attn_k.weight"] = (.f32, [8, 5]) })
        #expect(error == .wrongShape(tensor: "blk.0.attn_k.weight", expected: [8, 4], actual: [8, 5]))
    }

    @Test func unsupportedTypeIsNamed() throws {
        let error = loadError(try Self.tinyLlama { $0["blk.0.ffn_gate.weight"] = (.iq2_xxs, [256, 16]) })
        // The shape is checked first; give the tensor the right shape but an unsupported type.
        #expect(error != nil)
        let typed = loadError(try Self.tinyLlama { $0["output_norm.weight"] = (.i64, [8]) })
        #expect(typed == .unsupportedTensorType(tensor: "output_norm.weight", type: "I64"))
    }

    @Test func contextOverflowAndBadTokensAreErrors() throws {
        let path = try Self.tinyLlama(contextLength: 6)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try Model(path: path)
        let session = model.makeSession()
        #expect(throws: EngineError.contextOverflow(requested: 7, limit: 6)) { try session.append([1, 2, 3, 4, 5, 6, 7]) }
        #expect(throws: EngineError.invalidToken(10, vocabularySize: 10)) { try session.append([10]) }
        #expect(throws: EngineError.invalidToken(-1, vocabularySize: 10)) { try session.append([-1]) }
        #expect(throws: EngineError.emptyInput("append needs at least one token")) { try session.append([]) }
        #expect(throws: EngineError.self) { try session.score([1]) }   // nothing to predict from yet
        try session.append([1, 2, 3, 4])
        #expect(throws: EngineError.contextOverflow(requested: 7, limit: 6)) { try session.score(candidates: [[1], [2, 3, 4]]) }
        #expect(throws: EngineError.invalidPosition(9, count: 4)) { try session.truncate(to: 9) }
        #expect(session.tokens == [1, 2, 3, 4])   // failed calls leave the session as it was
        #expect(throws: EngineError.self) { _ = try Sampler(SamplingParameters(temperature: -1)) }
        #expect(throws: EngineError.self) { _ = try Sampler(SamplingParameters(temperature: 1, topP: 0)) }
    }

    @Test func missingFileIsAnError() {
        #expect(throws: EngineError.self) { _ = try Model(path: "/nonexistent/model.gguf") }
    }
}
