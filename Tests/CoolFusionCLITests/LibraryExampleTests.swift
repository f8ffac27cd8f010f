import CoolFusionTestSupport
import Foundation
import Testing

/// The README's library example (Examples/FuseTwoModels) builds with the package and fuses for real.
@Suite struct LibraryExampleTests {
    @Test(.enabled(if: BuildMode.isRelease, "real models run in release builds: swift test -c release"))
    func exampleFusesTwoModels() throws {
        let result = try CoolFusionExecutable.run(
            ["smollm2-135m", "qwen2.5-coder-0.5b", "Question: What is 2 + 3?\nAnswer:"], executable: "fuse-two-models")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        // One line per committed segment, naming its writer, then the whole text.
        let segments = result.stdout.split(separator: "\n").filter { $0.hasPrefix("[smollm2-135m] ") || $0.hasPrefix("[qwen2.5-coder-0.5b] ") }
        #expect(!segments.isEmpty)
        #expect(result.stdout.contains("segments in"))
    }
}
