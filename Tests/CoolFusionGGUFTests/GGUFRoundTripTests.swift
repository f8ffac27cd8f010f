import CoolFusionGGUF
import Testing

@Suite("GGUF writer → reader round trip")
struct GGUFRoundTripTests {
    @Test("every metadata type, nested arrays and tensors survive a round trip", arguments: [UInt32(2), 3])
    func everyType(version: UInt32) throws {
        var writer = GGUFWriter(version: version, alignment: 64)
        let values: [(String, GGUFValue)] = [
            ("u8", .uint8(250)), ("i8", .int8(-5)), ("u16", .uint16(65000)), ("i16", .int16(-30000)),
            ("u32", .uint32(4_000_000_000)), ("i32", .int32(-2_000_000_000)), ("u64", .uint64(.max)),
            ("i64", .int64(.min)), ("f32", .float32(3.5)), ("f64", .float64(-0.125)), ("yes", .bool(true)),
            ("no", .bool(false)), ("text", .string("héllo ▁ 世界")), ("empty", .string("")),
            ("general.alignment", .uint32(64)),
            ("strings", .array(.string(["a", "", "ß", "<0x0A>"]))),
            ("floats", .array(.float32([1, -2.5, .infinity]))),
            ("ints", .array(.int32([1, -2, 3]))),
            ("nested", .array(.array([.uint8([1, 2]), .string(["x"]), .array([.bool([true])])]))),
            ("empty array", .array(.uint64([]))),
        ]
        for (key, value) in values { writer.add(key, value) }
        writer.addTensor("t.weight", shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        writer.addTensor("q", type: .q4_K, shape: [256, 3], data: (0..<(144 * 3)).map { UInt8($0 % 256) })

        let file = try parseFile(writer.bytes())
        #expect(file.version == version)
        #expect(file.alignment == 64)
        #expect(file.metadataEntries.map(\.key) == values.map(\.0))
        for (key, value) in values { #expect(file[key] == value, "\(key)") }
        #expect(try file.string("text") == "héllo ▁ 世界")
        #expect(try file.int("u32") == 4_000_000_000)
        #expect(try file.float("f64") == -0.125)
        #expect(try file.stringArray("strings") == ["a", "", "ß", "<0x0A>"])
        #expect(try file.intArray("ints") == [1, -2, 3])
        #expect(file.dataOffset % 64 == 0)

        let t = try file.tensor("t.weight")
        #expect(t.info.type == .f32 && t.info.shape == [3, 2] && t.info.byteCount == 24)
        #expect(t.info.rowLength == 3 && t.info.rowCount == 2)
        let floats = (0..<6).map { t.data.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        #expect(floats == [1, 2, 3, 4, 5, 6])
        let q = try file.tensor("q")
        #expect(q.info.type == .q4_K && q.info.byteCount == 432 && q.info.rowBytes == 144)
        #expect(q.info.fileOffset % 64 == 0)
        #expect(q.data[143] == 143 && q.data[431] == UInt8(431 % 256))
        #expect(file.parameterCount == 6 + 768)
    }

    @Test("in-memory images parse like files")
    func inMemory() throws {
        let bytes = smallFixture().bytes()
        let file = try GGUFFile(bytes: bytes)
        #expect(try file.string("general.architecture") == "llama")
        #expect(file.tensors.map(\.name) == ["a", "b"])
        #expect(try file.tensor("b").data.allSatisfy { $0 == 7 })
    }

    @Test("typed accessors name the key and the types on a mismatch")
    func accessorErrors() throws {
        let file = try GGUFFile(bytes: smallFixture().bytes())
        #expect(gguFError { _ = try file.string("llama.block_count") } == .typeMismatch(key: "llama.block_count", expected: "string", found: "uint32"))
        #expect(gguFError { _ = try file.int("missing.key") } == .missingKey("missing.key"))
        #expect(gguFError { _ = try file.tensor("nope") } == .missingTensor("nope"))
        #expect(try file.optionalString("missing.key") == nil)
        #expect(GGUFError.missingKey("x").description.contains("'x'"))
    }

    @Test("ggml type names and block geometry")
    func typeTable() {
        #expect(GGMLType(name: "q4_k") == .q4_K)
        #expect(GGMLType.q6_K.name == "Q6_K" && GGMLType.q6_K.blockBytes == 210 && GGMLType.q6_K.blockSize == 256)
        #expect(GGMLType.q4_1.blockBytes == 20 && GGMLType.q5_0.blockBytes == 22 && GGMLType.q8_0.blockBytes == 34)
        #expect(GGMLType.bf16.blockBytes == 2 && GGMLType(rawValue: 31) == nil)
    }
}
