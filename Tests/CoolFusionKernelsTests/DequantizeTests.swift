import CoolFusionGGUF
import CoolFusionKernels
import Testing

/// Value of element `e` of one block, derived independently from the block layout (element
/// index → bytes), in ggml's float operation order so results must match bit for bit.
func formulaValue(_ type: GGMLType, block p: UnsafeRawBufferPointer, element e: Int) -> Float {
    func half(_ offset: Int) -> Float { Float(Float16(bitPattern: UInt16(p[offset]) | UInt16(p[offset + 1]) << 8)) }
    func u8(_ offset: Int) -> Int { Int(p[offset]) }
    switch type {
    case .f32: return Float(bitPattern: UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24)
    case .f16: return half(0)
    case .bf16: return Float(bitPattern: (UInt32(p[0]) | UInt32(p[1]) << 8) << 16)
    case .q4_0, .q4_1, .q5_0, .q5_1:
        let hasMin = type == .q4_1 || type == .q5_1
        let hasHigh = type == .q5_0 || type == .q5_1
        let qs = (hasMin ? 4 : 2) + (hasHigh ? 4 : 0)
        let byte = u8(qs + e % 16)
        var q = e < 16 ? byte & 0xF : byte >> 4
        if hasHigh {
            let qhOffset = hasMin ? 4 : 2
            let qh = u8(qhOffset) | u8(qhOffset + 1) << 8 | u8(qhOffset + 2) << 16 | u8(qhOffset + 3) << 24
            q |= ((qh >> e) & 1) << 4
        }
        switch type {
        case .q4_0: return Float(q - 8) * half(0)
        case .q5_0: return Float(q - 16) * half(0)
        default: return Float(q) * half(0) + half(2)
        }
    case .q8_0: return Float(Int8(bitPattern: p[2 + e])) * half(0)
    case .q2_K:
        let (h, r, l, g) = (e / 128, (e % 128) / 32, e % 32, e / 16)
        let q = (u8(16 + 32 * h + l) >> (2 * r)) & 3
        let sc = u8(g)
        return half(80) * Float(sc & 0xF) * Float(q) - half(82) * Float(sc >> 4)
    case .q3_K:
        let (h, r, l, g) = (e / 128, (e % 128) / 32, e % 32, e / 16)
        let scales = 32 + 64
        let low = g < 8 ? u8(scales + g) & 0xF : u8(scales + g - 8) >> 4
        let high = (u8(scales + 8 + g % 4) >> (2 * (g / 4))) & 3
        let scale = (low | high << 4) - 32
        let highBitSet = (u8(l) >> (4 * h + r)) & 1 == 1
        let q = ((u8(32 + 32 * h + l) >> (2 * r)) & 3) - (highBitSet ? 0 : 4)
        return half(108) * Float(scale) * Float(q)
    case .q4_K, .q5_K:
        let (g, l) = (e / 32, e % 32)
        let packed = 4
        let scale = g < 4 ? u8(packed + g) & 63 : (u8(packed + g + 4) & 0xF) | (u8(packed + g - 4) >> 6) << 4
        let minimum = g < 4 ? u8(packed + g + 4) & 63 : (u8(packed + g + 4) >> 4) | (u8(packed + g) >> 6) << 4
        let qs = type == .q4_K ? 16 : 48
        let byte = u8(qs + 32 * (g / 2) + l)
        var q = g % 2 == 0 ? byte & 0xF : byte >> 4
        if type == .q5_K { q += ((u8(16 + l) >> g) & 1) * 16 }
        return half(0) * Float(scale) * Float(q) - half(2) * Float(minimum)
    case .q6_K:
        let (h, r, l, g) = (e / 128, (e % 128) / 32, e % 32, e / 16)
        let low = u8(64 * h + l + 32 * (r % 2))
        let nibble = r >= 2 ? low >> 4 : low & 0xF
        let q = (nibble | ((u8(128 + 32 * h + l) >> (2 * r)) & 3) << 4) - 32
        return half(208) * Float(Int8(bitPattern: p[192 + g])) * Float(q)
    default:
        return .nan
    }
}

@Suite("Dequantization")
struct DequantizeTests {
    @Test("dequantize matches the per-element layout formula bit for bit", arguments: kernelTypes)
    func matchesFormula(type: GGMLType) throws {
        let blocks = 8
        let bytes = randomBlocks(type, blocks: blocks, seed: 0xDE0 + UInt64(type.rawValue))
        let count = blocks * type.blockSize
        var out = [Float](repeating: .nan, count: count)
        try bytes.withUnsafeBytes { raw in
            try Kernels.dequantize(type, from: raw.baseAddress!, to: &out, count: count)
            for b in 0..<blocks {
                let block = UnsafeRawBufferPointer(rebasing: raw[(b * type.blockBytes)..<((b + 1) * type.blockBytes)])
                for e in 0..<type.blockSize {
                    let expected = formulaValue(type, block: block, element: e)
                    let actual = out[b * type.blockSize + e]
                    #expect(actual.bitPattern == expected.bitPattern, "\(type.name) block \(b) element \(e): \(actual) vs \(expected)")
                    if actual.bitPattern != expected.bitPattern { return }
                }
            }
        }
    }

    @Test("a hand-made Q4_0 block dequantizes to d·(q−8)")
    func handMadeQ4_0() throws {
        // d = 0.5; byte j holds low nibble j % 16 and high nibble 15 − j % 16.
        var block: [UInt8] = [0x00, 0x38]   // Float16(0.5) = 0x3800
        block += (0..<16).map { UInt8($0 | (15 - $0) << 4) }
        var out = [Float](repeating: 0, count: 32)
        try Kernels.dequantize(.q4_0, from: block, to: &out, count: 32)
        let low: [Float] = (0..<16).map { (j: Int) -> Float in Float(j - 8) * 0.5 }
        let high: [Float] = (0..<16).map { (j: Int) -> Float in Float(7 - j) * 0.5 }
        let expected = low + high
        #expect(out == expected)
    }

    @Test("a hand-made Q6_K block with scale 2 and all q = 33 dequantizes to 2·d")
    func handMadeQ6_K() throws {
        // q = 33 = 0b10_0001: low nibble 1, top bits 0b10 for all four 32-runs of each half.
        var block = [UInt8](repeating: 0x11, count: 128)          // ql: both nibbles 1
        block += [UInt8](repeating: 0b1010_1010, count: 64)        // qh: bit pairs 0b10
        block += [UInt8](repeating: 2, count: 16)                   // scales
        block += [0x00, 0x34]                                       // d = Float16(0.25)
        var out = [Float](repeating: 0, count: 256)
        try Kernels.dequantize(.q6_K, from: block, to: &out, count: 256)
        #expect(out.allSatisfy { $0 == 0.25 * 2 * 1 })
    }

    @Test("unsupported types and partial blocks are typed errors")
    func errors() {
        let bytes = [UInt8](repeating: 0, count: 1024)
        var out = [Float](repeating: 0, count: 1024)
        #expect(throws: KernelError.unsupportedType(.iq2_xxs)) {
            try Kernels.dequantize(.iq2_xxs, from: bytes, to: &out, count: 256)
        }
        #expect(throws: KernelError.notWholeBlocks(type: .q4_K, count: 100)) {
            try Kernels.dequantize(.q4_K, from: bytes, to: &out, count: 100)
        }
        #expect(KernelError.unsupportedType(.iq2_xxs).description.contains("IQ2_XXS"))
        #expect(throws: KernelError.self) {
            _ = try WeightMatrix(type: .q8_0, rows: 2, cols: 33, data: bytes)
        }
    }
}
