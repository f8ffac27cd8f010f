import CoolFusion
import CoolFusionRemote
import CoolFusionServer

/// A served model whose generations wait at `hold` before starting (see `HeldSourceModel`); it also
/// shows that the server hosts a member type of one's own.
struct HeldMember: FusionMember {
    let inner: HostedModel
    let hold: Hold

    var name: String { inner.name }
    var splitter: PackagedWordSplitter { inner.splitter }
    var contextLength: Int { inner.contextLength }
    var chatTemplateSource: String? { inner.chatTemplateSource }
    var isRemote: Bool { false }

    func makeSourceModel() -> any SourceModel { HeldSourceModel(inner: inner.makeSourceModel(), hold: hold) }
}
