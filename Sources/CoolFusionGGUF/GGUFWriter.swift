/// Builds GGUF files in memory, for test fixtures and tools.
///
/// Values are written exactly as given, in insertion order; tensor data is padded to the
/// alignment. Nothing here validates semantics, so tests can also write files a reader must reject.
public struct GGUFWriter {
    public var version: UInt32
    public var alignment: Int
    private var metadata: [(String, GGUFValue)] = []
    private var tensors: [(name: String, type: GGMLType, shape: [Int], data: [UInt8])] = []

    public init(version: UInt32 = 3, alignment: Int = 32) {
        self.version = version
        self.alignment = alignment
    }

    public mutating func add(_ key: String, _ value: GGUFValue) {
        metadata.append((key, value))
    }

    /// Adds a tensor; `data` must hold its bytes in the type's block layout.
    public mutating func addTensor(_ name: String, type: GGMLType, shape: [Int], data: [UInt8]) {
        tensors.append((name, type, shape, data))
    }

    /// Adds an F32 tensor from values.
    public mutating func addTensor(_ name: String, shape: [Int], values: [Float]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for value in values { bytes.appendLittleEndian(value.bitPattern) }
        addTensor(name, type: .f32, shape: shape, data: bytes)
    }

    /// The complete file.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        out.appendLittleEndian(GGUFParser.magic)
        out.appendLittleEndian(version)
        out.appendLittleEndian(UInt64(tensors.count))
        out.appendLittleEndian(UInt64(metadata.count))
        for (key, value) in metadata {
            out.appendString(key)
            Self.appendTyped(value, to: &out)
        }
        var offset = 0
        for tensor in tensors {
            out.appendString(tensor.name)
            out.appendLittleEndian(UInt32(tensor.shape.count))
            for extent in tensor.shape { out.appendLittleEndian(UInt64(extent)) }
            out.appendLittleEndian(tensor.type.rawValue)
            out.appendLittleEndian(UInt64(offset))
            offset += Self.padded(tensor.data.count, to: alignment)
        }
        out.append(contentsOf: [UInt8](repeating: 0, count: Self.padded(out.count, to: alignment) - out.count))
        for tensor in tensors {
            out.append(contentsOf: tensor.data)
            out.append(contentsOf: [UInt8](repeating: 0, count: Self.padded(tensor.data.count, to: alignment) - tensor.data.count))
        }
        return out
    }

    private static func padded(_ count: Int, to alignment: Int) -> Int {
        (count + alignment - 1) / alignment * alignment
    }

    private static func appendTyped(_ value: GGUFValue, to out: inout [UInt8]) {
        out.appendLittleEndian(value.type.rawValue)
        appendPayload(value, to: &out)
    }

    private static func appendPayload(_ value: GGUFValue, to out: inout [UInt8]) {
        switch value {
        case .uint8(let v): out.append(v)
        case .int8(let v): out.append(UInt8(bitPattern: v))
        case .uint16(let v): out.appendLittleEndian(v)
        case .int16(let v): out.appendLittleEndian(v)
        case .uint32(let v): out.appendLittleEndian(v)
        case .int32(let v): out.appendLittleEndian(v)
        case .uint64(let v): out.appendLittleEndian(v)
        case .int64(let v): out.appendLittleEndian(v)
        case .float32(let v): out.appendLittleEndian(v.bitPattern)
        case .float64(let v): out.appendLittleEndian(v.bitPattern)
        case .bool(let v): out.append(v ? 1 : 0)
        case .string(let v): out.appendString(v)
        case .array(let array): appendArray(array, to: &out)
        }
    }

    private static func appendArray(_ array: GGUFArray, to out: inout [UInt8]) {
        out.appendLittleEndian(array.elementType.rawValue)
        out.appendLittleEndian(UInt64(array.count))
        switch array {
        case .uint8(let a): out.append(contentsOf: a)
        case .int8(let a): out.append(contentsOf: a.map { UInt8(bitPattern: $0) })
        case .uint16(let a): a.forEach { out.appendLittleEndian($0) }
        case .int16(let a): a.forEach { out.appendLittleEndian($0) }
        case .uint32(let a): a.forEach { out.appendLittleEndian($0) }
        case .int32(let a): a.forEach { out.appendLittleEndian($0) }
        case .uint64(let a): a.forEach { out.appendLittleEndian($0) }
        case .int64(let a): a.forEach { out.appendLittleEndian($0) }
        case .float32(let a): a.forEach { out.appendLittleEndian($0.bitPattern) }
        case .float64(let a): a.forEach { out.appendLittleEndian($0.bitPattern) }
        case .bool(let a): out.append(contentsOf: a.map { $0 ? 1 : 0 })
        case .string(let a): a.forEach { out.appendString($0) }
        case .array(let a): a.forEach { appendArray($0, to: &out) }
        }
    }
}

extension [UInt8] {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendString(_ string: String) {
        appendLittleEndian(UInt64(string.utf8.count))
        append(contentsOf: string.utf8)
    }
}
