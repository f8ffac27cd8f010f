/// Parses the header, metadata and tensor table of a GGUF file held in memory.
///
/// GGUF layout (v2/v3, little-endian): magic "GGUF", u32 version, u64 tensor count, u64 metadata
/// count, then the metadata key/value pairs, then the tensor infos, then padding to
/// `general.alignment` (default 32), then the tensor data. Counts in the file are untrusted: each
/// one is checked against the bytes left before anything is allocated for it.
struct GGUFParser {
    static let magic: UInt32 = 0x4655_4747  // "GGUF" read as a little-endian u32
    static let defaultAlignment = 32
    /// ggml tensors have at most four dimensions.
    static let maxDimensions = 4
    /// Arrays of arrays deeper than this are refused instead of recursing without bound.
    static let maxNesting = 8

    struct Result {
        var version: UInt32
        var metadata: [(key: String, value: GGUFValue)]
        var tensors: [GGUFTensorInfo]
        var alignment: Int
        var dataOffset: Int
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(GGUFError) -> Result {
        var cursor = ByteCursor(bytes)
        let magic = try cursor.read(UInt32.self, "magic")
        guard magic == Self.magic else { throw .badMagic(found: magic) }
        let version = try cursor.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(version) }
        let tensorCount = try cursor.read(UInt64.self, "tensor count")
        let metadataCount = try cursor.read(UInt64.self, "metadata count")
        // A key/value pair is at least 8 (key length) + 4 (type) + 1 bytes; a tensor info at least
        // 8 (name length) + 4 (dims) + 8 (one dim) + 4 (type) + 8 (offset) bytes.
        guard metadataCount <= UInt64(cursor.remaining / 13) else {
            throw .truncated(what: "\(metadataCount) metadata entries", offset: cursor.offset,
                             needed: Int(clamping: metadataCount &* 13), fileSize: bytes.count)
        }
        guard tensorCount <= UInt64(cursor.remaining / 32) else {
            throw .truncated(what: "\(tensorCount) tensor infos", offset: cursor.offset,
                             needed: Int(clamping: tensorCount &* 32), fileSize: bytes.count)
        }

        var metadata: [(key: String, value: GGUFValue)] = []
        metadata.reserveCapacity(Int(metadataCount))
        var seenKeys = Set<String>()
        for index in 0..<Int(metadataCount) {
            let key = try cursor.readString("key of metadata entry \(index)")
            guard seenKeys.insert(key).inserted else { throw .duplicateKey(key) }
            let rawType = try cursor.read(UInt32.self, "type of '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw .unknownValueType(key: key, rawType: rawType)
            }
            metadata.append((key, try readValue(type, key: key, cursor: &cursor, depth: 0)))
        }

        var alignment = defaultAlignment
        if let entry = metadata.first(where: { $0.key == "general.alignment" }) {
            guard let value = entry.value.integerValue, value > 0, value <= 65536, value & (value - 1) == 0 else {
                throw .invalidAlignment(UInt64(clamping: entry.value.integerValue ?? 0))
            }
            alignment = value
        }

        var infos: [(name: String, type: GGMLType, shape: [Int], relativeOffset: UInt64)] = []
        infos.reserveCapacity(Int(tensorCount))
        for index in 0..<Int(tensorCount) {
            let name = try cursor.readString("name of tensor \(index)")
            let dimensionCount = try cursor.read(UInt32.self, "dimension count of '\(name)'")
            guard dimensionCount >= 1, dimensionCount <= UInt32(maxDimensions) else {
                throw .invalidTensorDimensions(tensor: name, reason: "\(dimensionCount) dimensions (1 to 4 allowed)")
            }
            var shape: [Int] = []
            for axis in 0..<Int(dimensionCount) {
                let extent = try cursor.read(UInt64.self, "dimension \(axis) of '\(name)'")
                guard extent >= 1, extent <= UInt64(Int32.max) * 64 else {
                    throw .invalidTensorDimensions(tensor: name, reason: "dimension \(axis) is \(extent)")
                }
                shape.append(Int(extent))
            }
            let rawType = try cursor.read(UInt32.self, "type of '\(name)'")
            guard let type = GGMLType(rawValue: rawType) else { throw .unknownTensorType(tensor: name, rawType: rawType) }
            let relativeOffset = try cursor.read(UInt64.self, "data offset of '\(name)'")
            infos.append((name, type, shape, relativeOffset))
        }

        let dataOffset = (cursor.offset + alignment - 1) / alignment * alignment
        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(infos.count)
        var seenTensors = Set<String>()
        for info in infos {
            guard seenTensors.insert(info.name).inserted else { throw .duplicateTensor(info.name) }
            let byteCount = try Self.byteCount(name: info.name, type: info.type, shape: info.shape)
            guard info.relativeOffset % UInt64(alignment) == 0 else {
                throw .invalidTensorDimensions(tensor: info.name,
                                               reason: "data offset \(info.relativeOffset) is not a multiple of \(alignment)")
            }
            let (start, overflow) = UInt64(dataOffset).addingReportingOverflow(info.relativeOffset)
            let (end, overflow2) = start.addingReportingOverflow(UInt64(byteCount))
            guard !overflow, !overflow2, end <= UInt64(bytes.count) else {
                throw .tensorOutOfBounds(tensor: info.name, offset: info.relativeOffset, size: UInt64(byteCount),
                                         fileSize: bytes.count)
            }
            tensors.append(GGUFTensorInfo(name: info.name, type: info.type, shape: info.shape,
                                          fileOffset: Int(start), byteCount: byteCount))
        }
        return Result(version: version, metadata: metadata, tensors: tensors, alignment: alignment, dataOffset: dataOffset)
    }

    /// Bytes a tensor occupies, with every multiplication checked for overflow.
    static func byteCount(name: String, type: GGMLType, shape: [Int]) throws(GGUFError) -> Int {
        guard shape[0] % type.blockSize == 0 else {
            throw .invalidTensorDimensions(tensor: name,
                                           reason: "row length \(shape[0]) is not a multiple of \(type.name)'s block size \(type.blockSize)")
        }
        var total = shape[0] / type.blockSize * type.blockBytes
        for extent in shape.dropFirst() {
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw .invalidTensorDimensions(tensor: name, reason: "size of shape \(shape) overflows")
            }
            total = product
        }
        return total
    }

    private static func readValue(_ type: GGUFValueType, key: String, cursor: inout ByteCursor,
                                  depth: Int) throws(GGUFError) -> GGUFValue {
        switch type {
        case .uint8: .uint8(try cursor.read(UInt8.self, "value of '\(key)'"))
        case .int8: .int8(try cursor.read(Int8.self, "value of '\(key)'"))
        case .uint16: .uint16(try cursor.read(UInt16.self, "value of '\(key)'"))
        case .int16: .int16(try cursor.read(Int16.self, "value of '\(key)'"))
        case .uint32: .uint32(try cursor.read(UInt32.self, "value of '\(key)'"))
        case .int32: .int32(try cursor.read(Int32.self, "value of '\(key)'"))
        case .uint64: .uint64(try cursor.read(UInt64.self, "value of '\(key)'"))
        case .int64: .int64(try cursor.read(Int64.self, "value of '\(key)'"))
        case .float32: .float32(try cursor.readFloat("value of '\(key)'"))
        case .float64: .float64(try cursor.readDouble("value of '\(key)'"))
        case .bool: .bool(try cursor.read(UInt8.self, "value of '\(key)'") != 0)
        case .string: .string(try cursor.readString("value of '\(key)'"))
        case .array: .array(try readArray(key: key, cursor: &cursor, depth: depth + 1))
        }
    }

    private static func readArray(key: String, cursor: inout ByteCursor, depth: Int) throws(GGUFError) -> GGUFArray {
        guard depth <= maxNesting else { throw .nestingTooDeep(key: key) }
        let rawType = try cursor.read(UInt32.self, "element type of '\(key)'")
        guard let type = GGUFValueType(rawValue: rawType) else { throw .unknownValueType(key: key, rawType: rawType) }
        let rawCount = try cursor.read(UInt64.self, "element count of '\(key)'")
        guard rawCount <= UInt64(cursor.remaining / type.minimumEncodedSize) else {
            throw .truncated(what: "\(rawCount) elements of '\(key)'", offset: cursor.offset,
                             needed: Int(clamping: rawCount.multipliedReportingOverflow(by: UInt64(type.minimumEncodedSize)).partialValue),
                             fileSize: cursor.bytes.count)
        }
        let count = Int(rawCount)
        func many<T>(_ read: (inout ByteCursor) throws(GGUFError) -> T) throws(GGUFError) -> [T] {
            var out: [T] = []
            out.reserveCapacity(count)
            for _ in 0..<count { out.append(try read(&cursor)) }
            return out
        }
        let what = "element of '\(key)'"
        switch type {
        case .uint8: return .uint8(try many { (c: inout ByteCursor) throws(GGUFError) in try c.read(UInt8.self, what) })
        case .int8: return .int8(try many { (c: inout ByteCursor) throws(GGUFError) in try c.read(Int8.self, what) })
        case .uint16: return .uint16(try many { (c: inout ByteCursor) throws(GGUFError) in try c.read(UInt16.self, what) })
        case .int16: return .int16(try many { (c: inout ByteCursor) throws(GGUFError) in try c.read(Int16.self, what) })
        case .uint32: return .uint32(try many { (c: inout ByteCursor) throws(GGUFError) in try c.read(UInt32.self, what) })
        case .int32: return .int32(try many { (c: inout ByteCursor) throws(GGUFError) in try c.read(Int32.self, what) })
        case .uint64: return .uint64(try many { (c: inout ByteCursor) throws(GGUFError) in try c.read(UInt64.self, what) })
        case .int64: return .int64(try many { (c: inout ByteCursor) throws(GGUFError) in try c.read(Int64.self, what) })
        case .float32: return .float32(try many { (c: inout ByteCursor) throws(GGUFError) in try c.readFloat(what) })
        case .float64: return .float64(try many { (c: inout ByteCursor) throws(GGUFError) in try c.readDouble(what) })
        case .bool: return .bool(try many { (c: inout ByteCursor) throws(GGUFError) in try c.read(UInt8.self, what) != 0 })
        case .string: return .string(try many { (c: inout ByteCursor) throws(GGUFError) in try c.readString(what) })
        case .array:
            return .array(try many { (c: inout ByteCursor) throws(GGUFError) in try readArray(key: key, cursor: &c, depth: depth + 1) })
        }
    }
}
