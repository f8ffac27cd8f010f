/// Failures of a source model behind HTTP. Every case names the worker (model name and URL) and the
/// operation, so a fused request that ends with one of these tells the user which worker to look at.
public enum RemoteModelError: Error, CustomStringConvertible, Sendable {
    /// The worker could not be reached or the connection broke (refused, reset, closed).
    case unreachable(worker: String, url: String, operation: String, reason: String)
    /// No complete answer within the call's timeout.
    case timedOut(worker: String, url: String, operation: String, seconds: Double)
    /// The worker answered with an error status.
    case failed(worker: String, url: String, operation: String, status: Int, message: String)
    /// The worker's answer could not be understood.
    case malformedAnswer(worker: String, url: String, operation: String, reason: String)
    /// A model of the fusion hands out a word splitter that cannot be described to a worker.
    case splitterNotPortable(worker: String, modelIndex: Int)
    /// A remote engine cannot do what the fusion needs (e.g. no prompt log-probabilities).
    case unsupported(worker: String, url: String, what: String)
    /// An earlier call failed (`reason`) and the worker has not answered since: it is not waited on again.
    case down(worker: String, url: String, reason: String)
    /// The model behind the worker's URL is not the one the master saw at start-up (its digest changed).
    case modelChanged(worker: String, url: String, expected: String, found: String?)

    public var description: String {
        switch self {
        case .unreachable(let worker, let url, let operation, let reason):
            return "worker \(worker) at \(url) failed during \(operation): \(reason)"
        case .timedOut(let worker, let url, let operation, let seconds):
            return "worker \(worker) at \(url) did not answer \(operation) within \(Self.format(seconds)) s"
        case .failed(let worker, let url, let operation, let status, let message):
            return "worker \(worker) at \(url) answered \(operation) with HTTP \(status): \(message)"
        case .malformedAnswer(let worker, let url, let operation, let reason):
            return "worker \(worker) at \(url) sent an unreadable answer to \(operation): \(reason)"
        case .splitterNotPortable(let worker, let index):
            return "worker \(worker) needs the word splitter of model \(index), which has no tokenizer package; "
                + "wrap local models in PackagedSourceModel"
        case .unsupported(let worker, let url, let what):
            return "engine \(worker) at \(url) cannot be fused: \(what)"
        case .down(let worker, let url, let reason):
            return "worker \(worker) at \(url) is down (\(reason)); it is used again once it answers"
        case .modelChanged(let worker, let url, let expected, let found):
            return "worker \(worker) at \(url) now serves a different model (model digest \(found ?? "not reported"), "
                + "not \(expected) as at start-up); restart serve to fuse the new model"
        }
    }

    /// The worker's name, for `--drop-failed-workers` messages.
    public var worker: String {
        switch self {
        case .unreachable(let worker, _, _, _), .timedOut(let worker, _, _, _), .failed(let worker, _, _, _, _),
             .malformedAnswer(let worker, _, _, _), .splitterNotPortable(let worker, _), .unsupported(let worker, _, _),
             .down(let worker, _, _), .modelChanged(let worker, _, _, _):
            return worker
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
