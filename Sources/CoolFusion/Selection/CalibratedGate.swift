/// What `coolfusion calibrate` found for gated fusion on a development set (pooled, or for one task):
/// the leader (the most accurate model alone), every threshold of the gate's signal it tried, and the
/// one it chose: the most accurate of the trials that beat the leader alone by more than chance (ties:
/// the one that fused fewest segments) and, when a cost limit was set, cost at most that multiple of
/// the leader alone's work; else "never fuse".
public struct CalibratedGate: Codable, Sendable, Equatable {
    /// One threshold tried: gated fusion's accuracy with it, the share of segments it fused, and how
    /// its answers differ from the leader alone's on the same items.
    public struct Trial: Codable, Sendable, Equatable {
        public var threshold: Double
        public var accuracy: Double
        public var fusedFraction: Double
        /// Items this trial answered right and the leader alone wrong, and the reverse (nil in files
        /// written before they were recorded).
        public var wins: Int?
        public var losses: Int?
        /// Exact two-sided sign test of `wins` against `losses`.
        public var pValue: Double?
        /// The weight bytes every model streamed for this trial's answers over those the leader alone
        /// streamed for the same items (1 for the leader alone; nil where not measured, as in files
        /// written before it was): the run's work, free of the machine's timing noise.
        public var cost: Double?

        public init(threshold: Double, accuracy: Double, fusedFraction: Double,
                    wins: Int? = nil, losses: Int? = nil, pValue: Double? = nil, cost: Double? = nil) {
            self.threshold = threshold
            self.accuracy = accuracy
            self.fusedFraction = fusedFraction
            self.wins = wins
            self.losses = losses
            self.pValue = pValue
            self.cost = cost
        }
    }

    /// The leader's model name (as the other commands name models).
    public var leader: String
    public var signal: GateSignal
    /// The chosen threshold (a trial's); an out-of-range one for "never fuse".
    public var threshold: Double
    /// Accuracy of the leader alone on the same items, for comparison.
    public var leaderAccuracy: Double
    /// The sign-test p-value a trial had to reach against the leader alone to be chosen (nil in files
    /// written before the rule: the most accurate trial was chosen).
    public var significance: Double?
    /// The largest `Trial.cost` a chosen trial could have (nil: no limit).
    public var maxCost: Double?
    /// How many dev items the thresholds were tried on (nil in files written before `--gate-limit`:
    /// every item of the pooled set or of the task). The leader is chosen on every item.
    public var items: Int?
    public var trials: [Trial]

    public init(leader: String, signal: GateSignal, leaderAccuracy: Double, trials: [Trial],
                threshold: Double, significance: Double?, maxCost: Double? = nil, items: Int? = nil) {
        self.leader = leader
        self.signal = signal
        self.leaderAccuracy = leaderAccuracy
        self.trials = trials
        self.threshold = threshold
        self.significance = significance
        self.maxCost = maxCost
        self.items = items
    }

    /// The trial whose threshold was chosen.
    public var chosen: Trial? { trials.first { $0.threshold == threshold } }

    /// The gate for models named `names`, in that order; throws when the leader is not among them.
    public func settings(for names: [String], path: String) throws -> GateSettings {
        guard let index = names.firstIndex(of: leader) else {
            throw SelectionError.modelNotCalibrated(model: leader, path: path, calibrated: names)
        }
        return GateSettings(leader: index, signal: signal, threshold: threshold)
    }
}
