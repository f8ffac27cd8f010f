/// Sampling settings out of range, or a model that cannot sample.
public enum SamplingError: Error, CustomStringConvertible, Equatable {
    case invalidTemperature(Double)
    case invalidTopP(Double)
    case unsupported(model: String)

    public var description: String {
        switch self {
        case .invalidTemperature(let value):
            return "temperature must be a finite number between 0 and \(TokenSampling.maximumTemperature), got \(value)"
        case .invalidTopP(let value): return "top_p must be greater than 0 and at most 1, got \(value)"
        case .unsupported(let model): return "\(model) cannot sample tokens; use temperature 0 (greedy) with it"
        }
    }
}
