import CoolFusionGGUF
import CoolFusionKernels
import Foundation
import Testing

/// One record of Golden/ggml_dequantize.bin (made by scripts/kernels_ggml_golden.py from
/// ggml's own dequantize_row_* in llama-cpp-python 0.3.36).
struct GGMLGoldenRecord {
    let type: GGMLType
    let blocks: [UInt8]
    let values: [Float]

    static func load() throws -> [GGMLGoldenRecord] {
        guard let url = Bundle.module.url(forResource: "Golden/ggml_dequantize", withExtension: "bin") else {
            throw GoldenFileMissing()
        }
        let data = [UInt8](try Data(contentsOf: url))
        var records: [GGMLGoldenRecord] = []
        var offset = 0
        func u32() -> Int {
            defer { offset += 4 }
            return Int(data[offset]) | Int(data[offset + 1]) << 8 | Int(data[offset + 2]) << 16 | Int(data[offset + 3]) << 24
        }
        while offset < data.count {
            let typeID = u32(), count = u32(), byteCount = u32()
            let blocks = Array(data[offset..<(offset + byteCount)])
            offset += byteCount
            let values = (0..<count).map { i in
                Float(bitPattern: UInt32(data[offset + 4 * i]) | UInt32(data[offset + 4 * i + 1]) << 8
                      | UInt32(data[offset + 4 * i + 2]) << 16 | UInt32(data[offset + 4 * i + 3]) << 24)
            }
            offset += 4 * count
            guard let type = GGMLType(rawValue: UInt32(typeID)) else { throw GoldenFileMissing() }
            records.append(GGMLGoldenRecord(type: type, blocks: blocks, values: values))
        }
        return records
    }
}

struct GoldenFileMissing: Error {}

@Suite("Parity with ggml")
struct GGMLGoldenTests {
    @Test("dequantize is bit-identical to ggml's dequantize_row_* for every type in the golden file")
    func bitIdenticalToGGML() throws {
        let records = try GGMLGoldenRecord.load()
        #expect(Set(records.map(\.type)) == [.f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K])
        for record in records {
            var out = [Float](repeating: .nan, count: record.values.count)
            try Kernels.dequantize(record.type, from: record.blocks, to: &out, count: out.count)
            let mismatches = zip(out, record.values).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(mismatches == 0, "\(record.type.name): \(mismatches) of \(out.count) values differ from ggml")
        }
    }
}
