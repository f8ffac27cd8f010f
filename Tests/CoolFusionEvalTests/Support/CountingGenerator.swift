import CoolFusionEval
import Foundation

/// Passes every call to another generator and counts the generations, so a test can check that a
/// resumed run generated nothing again.
final class CountingGenerator: EvalGenerator, @unchecked Sendable {
    let inner: any EvalGenerator
    private let lock = NSLock()
    private var generations = 0

    init(inner: any EvalGenerator) { self.inner = inner }

    var count: Int { lock.withLock { generations } }
    var modelNames: [String] { inner.modelNames }

    func validate(_ method: MethodSpec) throws { try inner.validate(method) }

    func readPrompt(_ prompt: String) async throws { try await inner.readPrompt(prompt) }

    func generate(_ request: GenerationRequest) async throws -> Generation {
        lock.withLock { generations += 1 }
        return try await inner.generate(request)
    }
}
