import CoolFusionGGUF
import CoolFusionModelStore
import Foundation
import Testing

/// The three default models, read for real (fetched on first use).
@Suite("GGUF reader on the default models")
struct GGUFRealModelTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var alias: String, architecture: String, blocks: Int, vocabulary: Int, embedding: Int, context: Int
        var heads: Int, kvHeads: Int, tokenizer: String, pre: String, tensors: Int, types: [String: Int]
        var testDescription: String { alias }
    }

    static let models: [Expected] = [
        Expected(alias: "smollm2-135m", architecture: "llama", blocks: 30, vocabulary: 49_152, embedding: 576,
                 context: 8192, heads: 9, kvHeads: 3, tokenizer: "gpt2", pre: "smollm", tensors: 272,
                 types: ["F32": 61, "Q4_1": 210, "Q8_0": 1]),
        Expected(alias: "gemma3-270m", architecture: "gemma3", blocks: 18, vocabulary: 262_144, embedding: 640,
                 context: 32_768, heads: 4, kvHeads: 1, tokenizer: "llama", pre: "default", tensors: 236,
                 types: ["F32": 109, "Q5_0": 81, "Q4_K": 27, "Q8_0": 10, "Q6_K": 9]),
        Expected(alias: "qwen2.5-coder-0.5b", architecture: "qwen2", blocks: 24, vocabulary: 151_936, embedding: 896,
                 context: 32_768, heads: 14, kvHeads: 2, tokenizer: "gpt2", pre: "qwen2", tensors: 291,
                 types: ["F32": 121, "Q4_K": 12, "Q5_0": 133, "Q6_K": 12, "Q8_0": 13]),
    ]

    @Test("metadata and tensor table", arguments: models)
    func readsModel(expected: Expected) throws {
        let file = try GGUFFile(path: try ModelStore().resolve(expected.alias))
        let arch = try file.string("general.architecture")
        #expect(arch == expected.architecture)
        #expect(try file.int("\(arch).block_count") == expected.blocks)
        #expect(try file.int("\(arch).embedding_length") == expected.embedding)
        #expect(try file.int("\(arch).context_length") == expected.context)
        #expect(try file.int("\(arch).attention.head_count") == expected.heads)
        #expect(try file.int("\(arch).attention.head_count_kv") == expected.kvHeads)
        #expect(try file.stringArray("tokenizer.ggml.tokens").count == expected.vocabulary)
        #expect(try file.string("tokenizer.ggml.model") == expected.tokenizer)
        #expect(try file.string("tokenizer.ggml.pre") == expected.pre)
        #expect(file.tensors.count == expected.tensors)

        let summary = GGUFSummary(file)
        #expect(summary.vocabSize == expected.vocabulary && summary.blockCount == expected.blocks)
        #expect(summary.tensorTypes == expected.types)

        // Every block has its attention and FFN weights, and every tensor lies inside the file.
        for block in 0..<expected.blocks {
            #expect(file.tensorInfo("blk.\(block).attn_q.weight") != nil)
            #expect(file.tensorInfo("blk.\(block).ffn_down.weight") != nil)
        }
        let embedding = try file.tensor("token_embd.weight")
        #expect(embedding.info.shape == [expected.embedding, expected.vocabulary])
        for tensor in file.tensors {
            #expect(tensor.fileOffset >= file.dataOffset && tensor.fileOffset + tensor.byteCount <= file.fileSize)
            #expect(tensor.fileOffset % file.alignment == 0)
        }
    }

    @Test("Gemma-3 270M: 18 blocks, 262,144 tokens, scores and token types")
    func gemmaDetails() throws {
        let file = try GGUFFile(path: try ModelStore().resolve("gemma3-270m"))
        #expect(try file.int("gemma3.block_count") == 18)
        #expect(try file.floatArray("tokenizer.ggml.scores").count == 262_144)
        #expect(try file.intArray("tokenizer.ggml.token_type").count == 262_144)
        #expect(try file.stringArray("tokenizer.ggml.tokens")[2] == "<bos>")
        #expect(try file.int("tokenizer.ggml.bos_token_id") == 2)
    }
}
