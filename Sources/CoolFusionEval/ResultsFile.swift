import Foundation

/// One method's results on one dataset: a JSONL file of `EvalRecord`s, appended one line per item as
/// items finish, so that an interrupted run loses at most the item it was on.
public struct ResultsFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The records in the file. A last line cut short by an interruption is ignored (it is removed
    /// before the next append); any other bad line is an error.
    public func records() throws -> [EvalRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw EvalError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let decoder = JSONDecoder()
        var records: [EvalRecord] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let isUnterminatedLast = index == lines.count - 1
            do {
                records.append(try decoder.decode(EvalRecord.self, from: Data(line)))
            } catch {
                if isUnterminatedLast { break }
                throw EvalError.badJSONLine(path: path, line: index + 1, reason: String(describing: error))
            }
        }
        return records
    }

    /// Appends one record as one line (creating the file if needed), after dropping an unterminated
    /// last line left by an interruption.
    public func append(_ record: EvalRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        do {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw EvalError.writeFailed(path: path, reason: "cannot create the file")
                }
            }
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try dropUnterminatedLine(handle)
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
            try handle.synchronize()
        } catch let error as EvalError {
            throw error
        } catch {
            throw EvalError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// Truncates the file after its last newline.
    private func dropUnterminatedLine(_ handle: FileHandle) throws {
        let size = try handle.seekToEnd()
        guard size > 0 else { return }
        // Usually the file ends with a newline: one byte tells.
        try handle.seek(toOffset: size - 1)
        guard try handle.read(upToCount: 1) != Data([UInt8(ascii: "\n")]) else { return }
        try handle.seek(toOffset: 0)
        let data = try handle.readToEnd() ?? Data()
        let keep = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        try handle.truncate(atOffset: UInt64(keep))
    }
}
