import Foundation

/// The layout of an evaluation output directory:
///
///     OUT/report.json, OUT/report.md, OUT/report.svg     (built from everything below)
///     OUT/DATASET/run.json                               (RunSettings)
///     OUT/DATASET/METHOD.jsonl                           (EvalRecord per line, one file per column)
public struct ResultsDirectory: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public func datasetDirectory(_ dataset: String) -> String { (root as NSString).appendingPathComponent(dataset) }

    public func settingsPath(_ dataset: String) -> String {
        (datasetDirectory(dataset) as NSString).appendingPathComponent("run.json")
    }

    public func resultsFile(dataset: String, method: MethodSpec) -> ResultsFile {
        ResultsFile(path: (datasetDirectory(dataset) as NSString).appendingPathComponent(method.fileStem + ".jsonl"))
    }

    /// The stored settings of a dataset's run, if any.
    public func settings(_ dataset: String) throws -> RunSettings? {
        let path = settingsPath(dataset)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(RunSettings.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw EvalError.unreadableFile(path: path, reason: String(describing: error))
        }
    }

    public func save(_ settings: RunSettings) throws {
        let directory = datasetDirectory(settings.dataset)
        let path = settingsPath(settings.dataset)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            try encoder.encode(settings).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw EvalError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// Every dataset with a `run.json`, in name order.
    public func datasets() throws -> [RunSettings] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return try names.sorted().compactMap { try settings($0) }
    }

    /// Every record of a dataset's columns (those listed in its settings), by column id.
    public func records(of settings: RunSettings) throws -> [String: [EvalRecord]] {
        var byMethod: [String: [EvalRecord]] = [:]
        for method in settings.methods {
            byMethod[method.id] = try resultsFile(dataset: settings.dataset, method: method).records()
        }
        return byMethod
    }

    /// Writes a text file inside the root.
    public func write(_ text: String, to name: String) throws {
        let path = (root as NSString).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw EvalError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }
}
