import ArgumentParser
import CoolFusion

/// `--temperature`, `--top-p` and `--seed` of the fused commands: how every model draws the tokens of
/// its proposals. Assessment and selection do not change; temperature 0 (the default) is greedy.
struct SamplingOptions: ParsableArguments {
    @Option(help: "Sampling temperature of every model's proposals, 0 to \(TokenSampling.maximumTemperature); 0 is greedy.")
    var temperature: Double = 0

    @Option(name: .customLong("top-p"), help: "Draw only from the most likely tokens whose probability reaches this, in (0, 1].")
    var topP: Double = 1

    @Option(help: "Seed of the generators (each model gets a stream of its own from it): the same seed gives the same text.")
    var seed: UInt64 = 0

    func validate() throws {
        do {
            try sampling.validate()
        } catch {
            // Name the flag, not the API field.
            switch error {
            case .invalidTemperature: throw ValidationError("--temperature: \(error.description)")
            case .invalidTopP(let value): throw ValidationError("--top-p must be greater than 0 and at most 1, got \(value)")
            case .unsupported: throw ValidationError(error.description)
            }
        }
    }

    var sampling: TokenSampling { TokenSampling(temperature: temperature, topP: topP, seed: seed) }
}
