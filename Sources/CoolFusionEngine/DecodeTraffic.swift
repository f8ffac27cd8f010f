/// The bytes one decoded token reads from memory, which bound decode speed on a CPU: every weight
/// matrix once (the token embedding only one row, unless it is also the output matrix, as in
/// Gemma-3), and the keys and values of every position attended to (a sliding-window layer at most
/// its window).
public struct DecodeTraffic: Sendable, Equatable {
    /// Weights read per token, whatever the position.
    public let weightBytes: Int
    /// Key and value bytes of one position in one layer (F32 rows).
    public let kvBytesPerLayerPosition: Int
    /// Positions each layer attends to at most (its sliding window, or `Int.max`).
    public let layerWindows: [Int]

    public init(model: Model) {
        let hp = model.hyperparameters
        let tensors = model.file.tensors
        let tiedOutput = !tensors.contains { $0.name == "output.weight" }
        var weights = 0
        for tensor in tensors {
            if tensor.name == "token_embd.weight" && !tiedOutput {
                weights += tensor.rowBytes
            } else {
                weights += tensor.byteCount
            }
        }
        weightBytes = weights
        kvBytesPerLayerPosition = hp.kvHeadCount * (hp.keyWidth + hp.valueWidth) * MemoryLayout<Float>.size
        layerWindows = (0..<hp.layerCount).map { layer in
            layer < hp.slidingLayers.count && hp.slidingLayers[layer] && hp.slidingWindow > 0 ? hp.slidingWindow : .max
        }
    }

    /// Bytes read to decode the token at `position` (0-based; it attends to `position + 1` positions).
    public func bytes(atPosition position: Int) -> Int {
        weightBytes + layerWindows.reduce(0) { $0 + min(position + 1, $1) * kvBytesPerLayerPosition }
    }

    /// The mean of `bytes(atPosition:)` over `positions`.
    public func meanBytes(over positions: Range<Int>) -> Double {
        guard !positions.isEmpty else { return Double(weightBytes) }
        return Double(positions.reduce(0) { $0 + bytes(atPosition: $1) }) / Double(positions.count)
    }
}
