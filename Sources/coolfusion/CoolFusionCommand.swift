import ArgumentParser

/// The `coolfusion` command: subcommands for each user-facing job.
@main
struct CoolFusionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coolfusion",
        abstract: "Fuse LLMs with different tokenizers at inference time (Cool-Fusion), natively in Swift.",
        subcommands: [
            InspectCommand.self, ModelsCommand.self, TokenizeCommand.self, BenchTokenizerCommand.self,
            RunCommand.self, BenchCommand.self, GenerateCommand.self, ChatCommand.self, EvalCommand.self, CalibrateCommand.self,
            ServeCommand.self, WorkerCommand.self,
        ]
    )
}
