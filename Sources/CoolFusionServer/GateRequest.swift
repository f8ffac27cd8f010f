import CoolFusion

/// The gate fields a request may set for `gated` (CoolFusion extensions): `leader` (a member's name),
/// `gate_signal` and `gate_threshold`. Each one given replaces the server's gate (or the task's) for
/// this request only, as the command line's options do (`GateSettings.replacing`).
struct GateRequest: Sendable {
    var leader: String?
    var signal: String?
    var threshold: Double?

    init(leader: String? = nil, signal: String? = nil, threshold: Double? = nil) {
        self.leader = leader
        self.signal = signal
        self.threshold = threshold
    }

    /// `base` with this request's fields applied. A field for a request that does not run `gated` is
    /// a 400 rather than silently ignored: the client meant to change something that would not change.
    func settings(base: GateSettings, method: FusionMethod, members: [any FusionMember]) throws -> GateSettings {
        let given = [("leader", leader != nil), ("gate_signal", signal != nil), ("gate_threshold", threshold != nil)]
        if method != .gated, let field = given.first(where: \.1)?.0 {
            throw APIError.badRequest("\(field) applies only to method gated, and this request runs \(method.rawValue); "
                                      + "add \"method\": \"gated\"", param: field)
        }
        var leaderIndex: Int?
        if let leader {
            guard let index = members.firstIndex(where: { $0.name == leader }) else {
                throw APIError.badRequest("leader '\(leader)' is not one of this server's models ("
                                          + members.map(\.name).joined(separator: ", ") + ")", param: "leader")
            }
            leaderIndex = index
        }
        var parsedSignal: GateSignal?
        if let signal {
            guard let parsed = GateSignal(rawValue: signal) else {
                throw APIError.badRequest("unknown gate_signal '\(signal)'; the signals are "
                                          + GateSignal.allCases.map(\.rawValue).joined(separator: ", "), param: "gate_signal")
            }
            parsedSignal = parsed
        }
        return base.replacing(leader: leaderIndex, signal: parsedSignal, threshold: threshold)
    }
}
