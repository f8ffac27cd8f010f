#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A GGUF model file, memory-mapped read-only.
///
/// The file is never read whole: the header, metadata and tensor table are parsed from the mapping
/// and tensor data stays in the page cache, shared by every session that uses the weights.
/// Immutable after `init`, hence safe to share across threads.
public final class GGUFFile: @unchecked Sendable {
    public let path: String
    public let version: UInt32
    /// Metadata in file order.
    public let metadataEntries: [(key: String, value: GGUFValue)]
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Offset of the tensor data section from the start of the file.
    public let dataOffset: Int
    public let fileSize: Int

    /// Start of the bytes: the mapping of the file, or an owned copy for in-memory files.
    private let base: UnsafeMutableRawPointer?
    private let isMapped: Bool
    private let metadataIndex: [String: Int]
    private let tensorIndex: [String: Int]

    /// Maps and parses the file at `path`. Throws `GGUFError` for anything wrong with it.
    public init(path: String) throws(GGUFError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .cannotOpen(path: path, reason: "not a regular file") }
        let size = Int(status.st_size)
        fileSize = size
        var mapping: UnsafeMutableRawPointer? = nil
        if size > 0 {
            let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
            guard let mapped, mapped != MAP_FAILED else {
                throw .cannotOpen(path: path, reason: "mmap failed: " + String(cString: strerror(errno)))
            }
            mapping = mapped
        }
        base = mapping
        isMapped = true
        let parsed: GGUFParser.Result
        do {
            parsed = try GGUFParser.parse(UnsafeRawBufferPointer(start: mapping, count: size))
        } catch {
            if let mapping { munmap(mapping, size) }
            throw error
        }
        (version, metadataEntries, tensors, alignment, dataOffset, metadataIndex, tensorIndex) = Self.unpack(parsed)
    }

    /// Parses a GGUF image held in memory (a copy is kept), e.g. a vocabulary sent over the network.
    public init(bytes: [UInt8], name: String = "<memory>") throws(GGUFError) {
        path = name
        fileSize = bytes.count
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { source in
            if let address = source.baseAddress { copy.copyMemory(from: address, byteCount: source.count) }
        }
        base = copy
        isMapped = false
        let parsed: GGUFParser.Result
        do {
            parsed = try GGUFParser.parse(UnsafeRawBufferPointer(start: copy, count: bytes.count))
        } catch {
            copy.deallocate()
            throw error
        }
        (version, metadataEntries, tensors, alignment, dataOffset, metadataIndex, tensorIndex) = Self.unpack(parsed)
    }

    private static func unpack(_ parsed: GGUFParser.Result) -> (UInt32, [(key: String, value: GGUFValue)], [GGUFTensorInfo],
                                                                Int, Int, [String: Int], [String: Int]) {
        var keys: [String: Int] = [:]
        for (index, entry) in parsed.metadata.enumerated() { keys[entry.key] = index }
        var names: [String: Int] = [:]
        for (index, tensor) in parsed.tensors.enumerated() { names[tensor.name] = index }
        return (parsed.version, parsed.metadata, parsed.tensors, parsed.alignment, parsed.dataOffset, keys, names)
    }

    deinit {
        guard let base else { return }
        if isMapped { munmap(base, fileSize) } else { base.deallocate() }
    }

    // MARK: Metadata

    /// The value of `key`, or nil if absent.
    public subscript(key: String) -> GGUFValue? {
        metadataIndex[key].map { metadataEntries[$0].value }
    }

    public func contains(_ key: String) -> Bool { metadataIndex[key] != nil }

    private func require(_ key: String) throws(GGUFError) -> GGUFValue {
        guard let value = self[key] else { throw .missingKey(key) }
        return value
    }

    public func string(_ key: String) throws(GGUFError) -> String {
        let value = try require(key)
        guard case .string(let string) = value else { throw .typeMismatch(key: key, expected: "string", found: value.typeName) }
        return string
    }

    /// Any integer-typed value as `Int`.
    public func int(_ key: String) throws(GGUFError) -> Int {
        let value = try require(key)
        guard let integer = value.integerValue else { throw .typeMismatch(key: key, expected: "integer", found: value.typeName) }
        return integer
    }

    /// Any numeric value as `Float`.
    public func float(_ key: String) throws(GGUFError) -> Float {
        let value = try require(key)
        guard let number = value.doubleValue else { throw .typeMismatch(key: key, expected: "number", found: value.typeName) }
        return Float(number)
    }

    public func bool(_ key: String) throws(GGUFError) -> Bool {
        let value = try require(key)
        guard case .bool(let flag) = value else { throw .typeMismatch(key: key, expected: "bool", found: value.typeName) }
        return flag
    }

    public func array(_ key: String) throws(GGUFError) -> GGUFArray {
        let value = try require(key)
        guard case .array(let array) = value else { throw .typeMismatch(key: key, expected: "array", found: value.typeName) }
        return array
    }

    public func stringArray(_ key: String) throws(GGUFError) -> [String] {
        let array = try array(key)
        guard case .string(let strings) = array else {
            throw .typeMismatch(key: key, expected: "array of string", found: "array of \(array.elementTypeName)")
        }
        return strings
    }

    public func intArray(_ key: String) throws(GGUFError) -> [Int] {
        let array = try array(key)
        guard let integers = array.integers else {
            throw .typeMismatch(key: key, expected: "array of integer", found: "array of \(array.elementTypeName)")
        }
        return integers
    }

    public func floatArray(_ key: String) throws(GGUFError) -> [Float] {
        let array = try array(key)
        guard let floats = array.floats else {
            throw .typeMismatch(key: key, expected: "array of float", found: "array of \(array.elementTypeName)")
        }
        return floats
    }

    /// Optional variants: nil when the key is absent, an error when it has the wrong type.
    public func optionalString(_ key: String) throws(GGUFError) -> String? { contains(key) ? try string(key) : nil }
    public func optionalInt(_ key: String) throws(GGUFError) -> Int? { contains(key) ? try int(key) : nil }
    public func optionalFloat(_ key: String) throws(GGUFError) -> Float? { contains(key) ? try float(key) : nil }
    public func optionalBool(_ key: String) throws(GGUFError) -> Bool? { contains(key) ? try bool(key) : nil }

    /// `general.architecture`, the key that prefixes the model's hyperparameters.
    public var architecture: String? { try? string("general.architecture") }

    // MARK: Tensors

    public func tensorInfo(_ name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor's bytes inside the mapping. Valid as long as this `GGUFFile` is alive.
    public func data(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { UnsafeRawPointer($0 + tensor.fileOffset) }, count: tensor.byteCount)
    }

    /// The named tensor's info and bytes, or `missingTensor`.
    public func tensor(_ name: String) throws(GGUFError) -> (info: GGUFTensorInfo, data: UnsafeRawBufferPointer) {
        guard let info = tensorInfo(name) else { throw .missingTensor(name) }
        return (info, data(of: info))
    }

    /// Total number of elements over all tensors (the parameter count).
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.elementCount } }
}
