import CoolFusionLocal
import CoolFusionTestModels

/// The two synthetic models (byte-level BPE and SentencePiece) as fusion source models, each call a
/// fresh model with an empty cache, loaded through the same path as a real model.
enum SyntheticModels {
    static func load(_ model: SyntheticModel) throws -> EngineSourceModel {
        try EngineSourceModel.load(path: try model.path(), name: model.name)
    }

    /// Both kinds, BPE first.
    static func pair() throws -> [EngineSourceModel] {
        try SyntheticModel.allCases.map(load)
    }
}
