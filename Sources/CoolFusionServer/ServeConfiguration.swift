import CoolFusion

/// Settings of `coolfusion serve` that hold for every request.
public struct ServeConfiguration: Sendable {
    public var method: FusionMethod = .cool
    public var segmentTokenCap = 32
    public var selection: any SelectionRule = MeanSelection.paper
    /// The per-model weights of `selection` (`--weights`, `--weights-file`), which a rule a request
    /// names (`"selection": "vote"`, a CoolFusion extension) is made with too.
    public var selectionWeights: [Double]?
    /// Rules a request may choose by naming its task (`"task": "NAME"`, a CoolFusion extension):
    /// the selection rule with that task's calibrated weights (`--weights-file` with per-task accuracies).
    public var taskSelections: [String: any SelectionRule] = [:]
    /// `gated`: the leader, signal and threshold, and those a request's task selects (calibrated per task).
    public var gate = GateSettings()
    public var taskGates: [String: GateSettings] = [:]
    /// Run the models' steps concurrently (paper §2.4).
    public var concurrentModels = true
    /// Keep fusing without a worker that failed instead of ending the request.
    public var dropFailedWorkers = false
    /// Generations running at once, and requests allowed to wait for one (beyond: 503).
    public var concurrency = 1
    public var queueLimit = 8
    /// `max_tokens` when a request gives none, and the largest a request may ask for.
    public var defaultMaxTokens = 256
    public var maximumMaxTokens = 4096
    /// The name `GET /v1/models` lists and requests may give as `model`.
    public var modelName = "coolfusion"

    public init() {}
}
