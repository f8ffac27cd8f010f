import CoolFusionGGUF
import Foundation
import Testing

/// Every kind of damage the issue names is a typed error that says what is wrong, never a crash.
@Suite("GGUF reader rejects bad files")
struct GGUFRejectionTests {
    /// Offset of the tensor info of `name` (its u64 name length) in a writer's output.
    func tensorInfoOffset(_ bytes: [UInt8], _ name: String) -> Int? {
        var needle: [UInt8] = []
        needle.appendLittleEndian64(UInt64(name.utf8.count))
        needle += Array(name.utf8)
        needle.append(contentsOf: [1, 0, 0, 0])  // one dimension
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).last { Array(bytes[$0..<($0 + needle.count)]) == needle }
    }

    @Test func badMagic() {
        var bytes = smallFixture().bytes()
        bytes[0] = UInt8(ascii: "X")
        #expect(gguFError { _ = try parseFile(bytes) } == .badMagic(found: 0x4655_4758))
    }

    @Test("versions other than 2 and 3", arguments: [UInt32(0), 1, 4, 0xFFFF_FFFF])
    func unsupportedVersion(version: UInt32) {
        var bytes = smallFixture().bytes()
        bytes.storeLittleEndian(version, at: 4)
        #expect(gguFError { _ = try parseFile(bytes) } == .unsupportedVersion(version))
    }

    @Test("every prefix that cuts into the header or tensor data is rejected")
    func everyTruncation() throws {
        let bytes = smallFixture().bytes()
        let file = try GGUFFile(bytes: bytes)
        // Only the padding after the last tensor's data may be missing.
        let end = file.tensors.map { $0.fileOffset + $0.byteCount }.max() ?? bytes.count
        #expect(end == bytes.count - 30)
        for length in 0..<end {
            let error = gguFError { _ = try GGUFFile(bytes: Array(bytes[0..<length])) }
            #expect(error != nil, "prefix of \(length) bytes was accepted")
        }
        #expect(gguFError { _ = try parseFile(Array(bytes[0..<20])) }.map { "\($0)" }?.contains("truncated") == true)
    }

    @Test func stringLengthPastEnd() {
        var bytes = smallFixture().bytes()
        bytes.storeLittleEndian(UInt64(1) << 40, at: 24)  // length of the first key
        guard case .truncated(let what, _, _, _)? = gguFError({ _ = try parseFile(bytes) }) else {
            Issue.record("expected truncated")
            return
        }
        #expect(what.contains("key of metadata entry 0"))
    }

    @Test("an array whose count cannot fit is refused before allocating")
    func hugeArrayCount() {
        var writer = GGUFWriter()
        writer.add("tokens", .array(.string(["a", "b"])))
        var bytes = writer.bytes()
        // key length (8) + "tokens" (6) + value type (4) + element type (4) → the count
        let countOffset = 24 + 8 + 6 + 4 + 4
        bytes.storeLittleEndian(UInt64.max / 2, at: countOffset)
        guard case .truncated(let what, _, _, _)? = gguFError({ _ = try parseFile(bytes) }) else {
            Issue.record("expected truncated")
            return
        }
        #expect(what.contains("elements of 'tokens'"))
    }

    @Test func tooManyEntries() {
        var bytes = smallFixture().bytes()
        bytes.storeLittleEndian(UInt64.max, at: 16)  // metadata count
        #expect(gguFError { _ = try parseFile(bytes) }.map { "\($0)" }?.contains("metadata entries") == true)
        bytes = smallFixture().bytes()
        bytes.storeLittleEndian(UInt64(1) << 50, at: 8)  // tensor count
        #expect(gguFError { _ = try parseFile(bytes) }.map { "\($0)" }?.contains("tensor infos") == true)
    }

    @Test func unknownMetadataType() {
        var bytes = smallFixture().bytes()
        bytes.storeLittleEndian(UInt32(99), at: 24 + 8 + "general.architecture".utf8.count)
        #expect(gguFError { _ = try parseFile(bytes) } == .unknownValueType(key: "general.architecture", rawType: 99))
    }

    @Test func tensorOffsetOutsideFile() throws {
        var bytes = smallFixture().bytes()
        let info = try #require(tensorInfoOffset(bytes, "b"))
        bytes.storeLittleEndian(UInt64(1) << 32, at: info + 8 + 1 + 4 + 8 + 4)
        guard case .tensorOutOfBounds(let name, _, _, _)? = gguFError({ _ = try parseFile(bytes) }) else {
            Issue.record("expected tensorOutOfBounds")
            return
        }
        #expect(name == "b")
    }

    @Test func tensorSizeOutsideFile() throws {
        var bytes = smallFixture().bytes()
        let info = try #require(tensorInfoOffset(bytes, "b"))
        bytes.storeLittleEndian(UInt64(32 * 1000), at: info + 8 + 1 + 4)
        guard case .tensorOutOfBounds("b", _, 34_000, _)? = gguFError({ _ = try parseFile(bytes) }) else {
            Issue.record("expected tensorOutOfBounds of 34,000 bytes")
            return
        }
    }

    @Test("tensor types ggml does not define", arguments: [UInt32(4), 5, 31, 32, 33, 40, 1000])
    func unknownTensorType(raw: UInt32) throws {
        var bytes = smallFixture().bytes()
        let info = try #require(tensorInfoOffset(bytes, "b"))
        bytes.storeLittleEndian(raw, at: info + 8 + 1 + 4 + 8)
        let error = gguFError { _ = try parseFile(bytes) }
        #expect(error == .unknownTensorType(tensor: "b", rawType: raw))
        #expect(error?.description.contains("Q4_K") == true)
    }

    @Test func dimensionProductOverflows() {
        var writer = GGUFWriter()
        writer.addTensor("huge", type: .f32, shape: [1 << 30, 1 << 30, 1 << 30, 1 << 30], data: [0, 0, 0, 0])
        guard case .invalidTensorDimensions("huge", let reason)? = gguFError({ _ = try parseFile(writer.bytes()) }) else {
            Issue.record("expected invalidTensorDimensions")
            return
        }
        #expect(reason.contains("overflows"))
    }

    @Test func rowNotMultipleOfBlock() {
        var writer = GGUFWriter()
        writer.addTensor("odd", type: .q8_0, shape: [33], data: [UInt8](repeating: 0, count: 34))
        guard case .invalidTensorDimensions("odd", let reason)? = gguFError({ _ = try parseFile(writer.bytes()) }) else {
            Issue.record("expected invalidTensorDimensions")
            return
        }
        #expect(reason.contains("block size 32"))
    }

    @Test("zero or more than four dimensions", arguments: [UInt32(0), 5, 1000])
    func dimensionCount(count: UInt32) throws {
        var bytes = smallFixture().bytes()
        let info = try #require(tensorInfoOffset(bytes, "b"))
        bytes.storeLittleEndian(count, at: info + 8 + 1)
        guard case .invalidTensorDimensions("b", _)? = gguFError({ _ = try parseFile(bytes) }) else {
            Issue.record("expected invalidTensorDimensions")
            return
        }
    }

    @Test("alignment must be a power of two", arguments: [UInt32(0), 3, 48, 1 << 20])
    func badAlignment(alignment: UInt32) {
        var writer = GGUFWriter()
        writer.add("general.alignment", .uint32(alignment))
        #expect(gguFError { _ = try parseFile(writer.bytes()) } == .invalidAlignment(UInt64(alignment)))
    }

    @Test func invalidUTF8Key() {
        var writer = GGUFWriter()
        writer.add("abc", .bool(true))
        var bytes = writer.bytes()
        bytes[24 + 8] = 0xFF
        guard case .invalidUTF8? = gguFError({ _ = try parseFile(bytes) }) else {
            Issue.record("expected invalidUTF8")
            return
        }
    }

    @Test func duplicates() {
        var writer = GGUFWriter()
        writer.add("k", .bool(true))
        writer.add("k", .bool(false))
        #expect(gguFError { _ = try parseFile(writer.bytes()) } == .duplicateKey("k"))
        var tensors = GGUFWriter()
        tensors.addTensor("t", shape: [1], values: [1])
        tensors.addTensor("t", shape: [1], values: [2])
        #expect(gguFError { _ = try parseFile(tensors.bytes()) } == .duplicateTensor("t"))
    }

    @Test func deepNesting() {
        var array = GGUFArray.uint8([1])
        for _ in 0..<20 { array = .array([array]) }
        var writer = GGUFWriter()
        writer.add("deep", .array(array))
        #expect(gguFError { _ = try parseFile(writer.bytes()) } == .nestingTooDeep(key: "deep"))
    }

    @Test func notAFile() {
        guard case .cannotOpen? = gguFError({ _ = try GGUFFile(path: "/definitely/not/here.gguf") }) else {
            Issue.record("expected cannotOpen")
            return
        }
        guard case .cannotOpen(_, let reason)? = gguFError({ _ = try GGUFFile(path: NSTemporaryDirectory()) }) else {
            Issue.record("expected cannotOpen")
            return
        }
        #expect(reason == "not a regular file")
    }
}

extension [UInt8] {
    mutating func appendLittleEndian64(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
