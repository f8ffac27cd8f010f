import CoolFusionServer
import CoolFusionTestModels

/// The two synthetic models (byte-level BPE and SentencePiece) as served models, for server tests that
/// need no real model; and a context-capped copy of one for the "prompt too long" case.
enum SyntheticMembers {
    static func both() throws -> [HostedModel] {
        try SyntheticModel.allCases.map { try HostedModel(path: try $0.path(), name: $0.name) }
    }

    static let shortContextName = "synthetic-short"

    static func shortContext() throws -> HostedModel {
        try HostedModel(path: try SyntheticModel.bytePairs.path(), name: shortContextName, contextLength: 64)
    }
}
