import CoolFusionGGUF
import CoolFusionModelStore
import CoolFusionTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Damage to a real model file, at many places: every case is a clean result or a GGUFError.
@Suite("GGUF reader survives damaged real files")
struct GGUFFuzzTests {
    @Test("truncating SmolLM2's header at many offsets gives a truncation error each time")
    func truncations() throws {
        let path = try ModelStore().resolve("smollm2-135m")
        let header = try GGUFFile(path: path).dataOffset
        let handle = try #require(FileHandle(forReadingAtPath: path))
        let bytes = [UInt8](try handle.read(upToCount: header + 4096) ?? Data())
        try handle.close()
        var offsets = Array(0..<128)
        var random = SeededGenerator(seed: 42)
        for _ in 0..<200 { offsets.append(Int(random.next() % UInt64(header))) }
        offsets += [header - 1, header, header + 100]
        for length in offsets {
            let error = gguFError { _ = try GGUFFile(bytes: Array(bytes[0..<length])) }
            #expect(error != nil, "truncation at \(length) was accepted")
        }
    }

    @Test("flipping bytes in SmolLM2's metadata never crashes")
    func byteFlips() throws {
        let source = try ModelStore().resolve("smollm2-135m")
        let original = try GGUFFile(path: source)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("coolfusion-flip-\(UUID().uuidString).gguf")
        try FileManager.default.copyItem(atPath: source, toPath: copy.path)
        defer { try? FileManager.default.removeItem(at: copy) }
        let fd = open(copy.path, O_RDWR)
        try #require(fd >= 0)
        defer { close(fd) }

        var random = SeededGenerator(seed: 7)
        var rejected = 0, accepted = 0
        for _ in 0..<300 {
            let offset = off_t(random.next() % UInt64(original.dataOffset))
            var byte: UInt8 = 0
            try #require(pread(fd, &byte, 1, offset) == 1)
            var flipped = byte ^ UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
            try #require(pwrite(fd, &flipped, 1, offset) == 1)
            do {
                let file = try GGUFFile(path: copy.path)
                // Accepted files must still be internally consistent.
                for tensor in file.tensors { #expect(tensor.fileOffset + tensor.byteCount <= file.fileSize) }
                accepted += 1
            } catch {
                rejected += 1
            }
            try #require(pwrite(fd, &byte, 1, offset) == 1)
        }
        #expect(accepted + rejected == 300)
        #expect(rejected > 0, "no flip was detected; the test is not reaching the parser")
    }
}
