/// The sizes of a synthetic model's network (`llama.*` hyperparameters).
public struct SyntheticShape: Sendable {
    public var embedding: Int
    public var feedForward: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var context: Int

    var headWidth: Int { embedding / heads }
}
