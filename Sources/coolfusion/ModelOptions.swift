import ArgumentParser
import CoolFusion
import CoolFusionLocal
import CoolFusionModelStore
import Foundation

/// `--model M` (repeatable) for the commands that fuse several models, and the one place the CLI turns
/// a model name into a file and a display name: a default alias (fetched on first use) or a GGUF path.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("model"),
            help: "A default model alias (see `coolfusion models list`) or a GGUF path; repeat for each model (default: the three default models).")
    var models: [String] = []

    /// The models given, or the default models when none was (`defaults: false` for a command where
    /// other kinds of member may stand in, as `serve --worker`).
    func names(defaults: Bool = true) -> [String] {
        models.isEmpty && defaults ? DefaultModel.all.map(\.alias) : models
    }

    /// Display names of `names()`, in order: what traces, reports and weights files call the models.
    var displayNames: [String] { names().map(Self.displayName) }

    /// Loads every model of `names()` for fusion, saying so on standard error.
    /// - Parameter threads: nil shares one pool of one thread per core between the models.
    func loadSourceModels(threads: Int? = nil) throws -> [EngineSourceModel] {
        try names().map { name in
            let display = Self.displayName(name)
            FileHandle.standardError.write(Data("loading \(display)\n".utf8))
            return try EngineSourceModel.load(path: try Self.path(of: name), name: display, threads: threads)
        }
    }

    /// The file of a default alias (fetched and verified first if missing) or a GGUF path.
    static func path(of name: String) throws -> String {
        try ModelStore().resolve(name)
    }

    /// A path is shown by its file name without extension; an alias as given.
    static func displayName(_ name: String) -> String {
        name.hasSuffix(".gguf") ? URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent : name
    }
}
