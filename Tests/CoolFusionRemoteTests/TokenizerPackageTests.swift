import CoolFusionGGUF
import CoolFusionModelStore
import CoolFusionRemote
import CoolFusionTokenizers
import Testing

/// A tokenizer package (tokenizer-only GGUF) must tokenize and split words exactly like the model file.
@Suite struct TokenizerPackageTests {
    static let texts = [
        "Hello, world! The quick brown fox jumps over 12345 lazy dogs.",
        "Multi-tasking  is   hard;\n\nnewlines\tand tabs, émigré naïve 東京 🙂",
        "def f(x):\n    return x**2  # comment",
        "<|im_start|>user\nHi<|im_end|>",
    ]

    @Test(arguments: ["smollm2-135m", "gemma3-270m"])
    func packageTokenizesLikeTheModelFile(alias: String) throws {
        let file = try GGUFFile(path: try ModelStore().resolve(alias))
        let original = try Tokenizer(gguf: file)
        let package = TokenizerPackage.extract(from: file)
        let copy = try package.makeTokenizer()
        #expect(copy.vocabulary.count == original.vocabulary.count)
        for text in Self.texts {
            #expect(copy.encode(text) == original.encode(text))
            #expect(copy.encode(text, parseSpecial: true) == original.encode(text, parseSpecial: true))
            #expect(copy.words(text) == original.words(text))
        }
        // No tensors: the package is small next to the model.
        #expect(try GGUFFile(bytes: package.bytes).tensors.isEmpty)
        #expect(package.bytes.count < file.fileSize / 4)
        #expect(package.chatTemplate() == (try file.optionalString("tokenizer.chat_template")))
    }

    @Test func digestIsStableAndContentAddressed() throws {
        let file = try GGUFFile(path: try ModelStore().resolve("smollm2-135m"))
        let a = TokenizerPackage.extract(from: file)
        let b = TokenizerPackage.extract(from: file)
        #expect(a.digest == b.digest)
        #expect(a.digest.count == 64)
        var altered = a.bytes
        altered[altered.count - 1] ^= 1
        #expect(TokenizerPackage(bytes: altered).digest != a.digest)
    }
}
