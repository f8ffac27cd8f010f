import Foundation
import Testing
import CoolFusionTestSupport

@Suite("coolfusion tokenize")
struct TokenizeCommandTests {
    private func json(_ arguments: [String], stdin: String? = nil) throws -> [String: Any] {
        let result = try CoolFusionExecutable.run(arguments, stdin: stdin)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test("--json prints tokens, pieces and words with byte offsets")
    func jsonOutput() throws {
        // Token ids as llama.cpp 0.3.36 gives them for SmolLM2 (see the tokenizer golden files).
        let object = try json(["tokenize", "--model", "smollm2-135m", "--json", "Hello world, Multi-tasking"])
        #expect(object["tokens"] as? [Int] == [19556, 905, 28, 17139, 29, 33248, 644])
        #expect(object["pieces"] as? [String] == ["Hello", " world", ",", " Multi", "-", "tas", "king"])
        let words = try #require(object["words"] as? [[String: Any]])
        #expect(words.compactMap { $0["text"] as? String } == ["Hello", " world", ",", " Multi", "-", "tasking"])
        #expect(words.first?["start"] as? Int == 0 && words.last?["end"] as? Int == 26)
    }

    @Test("- reads standard input; --special makes control tokens single tokens")
    func standardInputAndSpecial() throws {
        let text = "<|im_start|>user\nHi"
        let plain = try json(["tokenize", "--model", "qwen2.5-coder-0.5b", "--json", "-"], stdin: text)
        let special = try json(["tokenize", "--model", "qwen2.5-coder-0.5b", "--special", "--json", "-"], stdin: text)
        let specialTokens = try #require(special["tokens"] as? [Int])
        #expect(specialTokens.first == 151_644)
        #expect((plain["tokens"] as? [Int] ?? []).count > specialTokens.count)
    }

    @Test("invalid UTF-8 on standard input is a clear error")
    func invalidUTF8() throws {
        let process = Process()
        process.executableURL = try CoolFusionExecutable.url()
        process.arguments = ["tokenize", "--model", "smollm2-135m", "-"]
        let input = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        input.fileHandleForWriting.write(Data([0x61, 0x62, 0xFF, 0x63]))
        try input.fileHandleForWriting.close()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(message.contains("not valid UTF-8") && message.contains("offset 2"))
    }

    @Test("the table lists ids and pieces")
    func table() throws {
        let result = try CoolFusionExecutable.run(["tokenize", "--model", "gemma3-270m", "a  b\n"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("'  '") && result.stdout.contains("'\\n'"))
    }
}
