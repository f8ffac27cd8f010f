import CoolFusionGGUF
import Foundation

/// Writes fixture bytes to a unique temporary file and returns its path.
func writeTemporaryFile(_ bytes: [UInt8], name: String = "fixture") throws -> String {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("coolfusion-\(name)-\(UUID().uuidString).gguf")
    try Data(bytes).write(to: url)
    return url.path
}

/// Parses fixture bytes through a real file and the real mmap path.
func parseFile(_ bytes: [UInt8]) throws -> GGUFFile {
    let path = try writeTemporaryFile(bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try GGUFFile(path: path)
}

/// The error `body` throws, as a GGUFError (nil if it did not throw).
func gguFError(_ body: () throws -> Void) -> GGUFError? {
    do {
        try body()
        return nil
    } catch let error as GGUFError {
        return error
    } catch {
        return nil
    }
}

/// A small valid file: a few metadata entries and two tensors.
func smallFixture(alignment: Int = 32) -> GGUFWriter {
    var writer = GGUFWriter(alignment: alignment)
    writer.add("general.architecture", .string("llama"))
    writer.add("llama.block_count", .uint32(2))
    writer.addTensor("a", shape: [4, 2], values: (0..<8).map(Float.init))
    writer.addTensor("b", type: .q8_0, shape: [32], data: [UInt8](repeating: 7, count: 34))
    return writer
}

extension [UInt8] {
    mutating func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        Swift.withUnsafeBytes(of: value.littleEndian) { bytes in
            for (index, byte) in bytes.enumerated() { self[offset + index] = byte }
        }
    }
}
