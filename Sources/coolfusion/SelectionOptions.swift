import ArgumentParser
import CoolFusion

/// The selection-rule options shared by `generate` and `serve`: `--selection`, `--weights`,
/// `--weights-file`, `--weights-subset` (and `--metric`, the older spelling of `--selection ppl|logppl`).
struct SelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "How each step's winner is chosen: \(SelectionRules.help).",
        discussion: """
        paper: lowest mean perplexity (the paper's Eq. 3). logppl: lowest mean log-perplexity. weighted: \
        paper with per-model weights. vote: every model ranks the candidates by its perplexity, lowest rank \
        sum wins (Borda). median: lowest median perplexity. leader: the candidate of the model with the \
        largest weight. majority: a candidate two or more models proposed wins, else paper decides \
        (majority+vote: else vote; majority+leader: else the leader).
        """))
    var selection: String?

    @Option(help: ArgumentHelp("Older spelling of --selection ppl|logppl.", visibility: .hidden))
    var metric: String?

    @Option(help: "Comma-separated positive weight per model (in --model order), e.g. 1,1,0.5; for paper/weighted, logppl, vote and majority.")
    var weights: String?

    @Option(help: "Per-model weights from a `coolfusion calibrate` file (models matched by name).")
    var weightsFile: String?

    @Option(help: ArgumentHelp(
        "With --weights-file: weigh the models by their accuracy on this subset (task) of the calibration data.",
        discussion: "For a workload of one known task, e.g. --weights-subset basic_arithmetic."))
    var weightsSubset: String?

    func validate() throws {
        if weights != nil, weightsFile != nil { throw ValidationError("give --weights or --weights-file, not both") }
        if selection != nil, metric != nil { throw ValidationError("give --selection or --metric, not both") }
        if weightsSubset != nil, weightsFile == nil { throw ValidationError("--weights-subset needs --weights-file") }
        if let weights {
            do { _ = try SelectionWeights.parse(weights) } catch { throw ValidationError("--weights: \(error)") }
        }
        // Names and whether the rule takes weights are checked now; weight counts once the models are known.
        let someWeights: [Double]? = weights == nil && weightsFile == nil ? nil : [1]
        do { _ = try SelectionRules.make(ruleName, weights: someWeights) } catch { throw ValidationError("\(error)") }
    }

    var ruleName: String { selection ?? metric ?? "paper" }

    /// The rule for models named `modelNames` (names as the weights file has them).
    func rule(modelNames: [String]) throws -> any SelectionRule {
        let rule = try SelectionRules.make(ruleName, weights: try weights(modelNames: modelNames))
        try rule.validate(modelCount: modelNames.count)
        return rule
    }

    /// The per-model weights of `--weights` or `--weights-file` (nil: none given).
    func weights(modelNames: [String]) throws -> [Double]? {
        if let weightsFile {
            return try CalibratedWeights.load(path: weightsFile).weights(for: modelNames, subset: weightsSubset, path: weightsFile)
        }
        return try weights.map { try SelectionWeights.parse($0) }
    }

    /// With --weights-file: the rule with each task's weights, for every task (subset) the file has
    /// every model's accuracy on; what a `serve` request chooses by naming its `task`.
    func taskRules(modelNames: [String]) throws -> [String: any SelectionRule] {
        guard let weightsFile else { return [:] }
        let file = try CalibratedWeights.load(path: weightsFile)
        var rules: [String: any SelectionRule] = [:]
        for task in file.subsets(commonTo: modelNames) {
            let rule = try SelectionRules.make(ruleName, weights: try file.weights(for: modelNames, subset: task, path: weightsFile))
            try rule.validate(modelCount: modelNames.count)
            rules[task] = rule
        }
        return rules
    }
}
