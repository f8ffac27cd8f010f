/// A candidate text segment put to the joint assessment (paper §2.3).
///
/// Two proposals are the same candidate when text and finality agree; a final candidate also proposes
/// to end the generation there, so it is scored with each model's end-of-generation token appended
/// (otherwise "stop now", an empty final candidate, could not be compared with "go on with X").
public struct Candidate: Hashable, Sendable, Codable {
    public var text: String
    public var isFinal: Bool

    public init(text: String, isFinal: Bool = false) {
        self.text = text
        self.isFinal = isFinal
    }
}
