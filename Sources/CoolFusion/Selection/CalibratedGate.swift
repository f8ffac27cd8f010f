/// What `coolfusion calibrate` found for gated fusion on a development set (pooled, or for one task):
/// the leader (the most accurate model alone), the threshold of the gate's signal that made gated fusion
/// most accurate (ties: the one that fused fewest segments), and every threshold it tried.
public struct CalibratedGate: Codable, Sendable, Equatable {
    /// One threshold tried: gated fusion's accuracy with it and the share of segments it fused.
    public struct Trial: Codable, Sendable, Equatable {
        public var threshold: Double
        public var accuracy: Double
        public var fusedFraction: Double

        public init(threshold: Double, accuracy: Double, fusedFraction: Double) {
            self.threshold = threshold
            self.accuracy = accuracy
            self.fusedFraction = fusedFraction
        }
    }

    /// The leader's model name (as the other commands name models).
    public var leader: String
    public var signal: GateSignal
    public var threshold: Double
    /// Accuracy of the leader alone on the same items, for comparison.
    public var leaderAccuracy: Double
    public var trials: [Trial]

    public init(leader: String, signal: GateSignal, leaderAccuracy: Double, trials: [Trial]) {
        self.leader = leader
        self.signal = signal
        self.leaderAccuracy = leaderAccuracy
        self.trials = trials
        threshold = Self.best(of: trials)?.threshold ?? signal.defaultThreshold
    }

    /// The most accurate trial; ties go to fewer fused segments, then to the first tried.
    public static func best(of trials: [Trial]) -> Trial? {
        var best: Trial?
        for trial in trials {
            guard let current = best else { best = trial; continue }
            if trial.accuracy > current.accuracy
                || (trial.accuracy == current.accuracy && trial.fusedFraction < current.fusedFraction) {
                best = trial
            }
        }
        return best
    }

    /// The gate for models named `names`, in that order; throws when the leader is not among them.
    public func settings(for names: [String], path: String) throws -> GateSettings {
        guard let index = names.firstIndex(of: leader) else {
            throw SelectionError.modelNotCalibrated(model: leader, path: path, calibrated: names)
        }
        return GateSettings(leader: index, signal: signal, threshold: threshold)
    }
}
