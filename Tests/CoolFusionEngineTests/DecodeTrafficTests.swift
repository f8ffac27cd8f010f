import CoolFusionEngine
import Testing

/// The bytes a decoded token reads, as `coolfusion bench` reports them against the memory bandwidth.
@Suite struct DecodeTrafficTests {
    @Test(arguments: TestModels.synthetic)
    func everyMatrixOnceAndTheEmbeddingOnlyWhenItIsTheOutput(alias: String) throws {
        let model = try TestModels.model(alias)
        try check(model)
    }

    @Test func gemmasTiedEmbeddingStreamsAndItsWindowCapsTheKeys() throws {
        let gemma = try TestModels.model("gemma3-270m")
        try check(gemma)
        let traffic = DecodeTraffic(model: gemma)
        // The output matrix is the token embedding (262,144 rows): the whole file's tensors stream.
        #expect(traffic.weightBytes == gemma.file.tensors.reduce(0) { $0 + $1.byteCount })
        // Past the 512-token window only the global layers read more keys per position.
        let hp = gemma.hyperparameters
        let global = hp.slidingLayers.filter { !$0 }.count
        #expect(global > 0 && global < hp.layerCount)
        #expect(traffic.bytes(atPosition: 2000) - traffic.bytes(atPosition: 1999) == global * traffic.kvBytesPerLayerPosition)
        #expect(traffic.bytes(atPosition: 100) - traffic.bytes(atPosition: 99) == hp.layerCount * traffic.kvBytesPerLayerPosition)
    }

    private func check(_ model: Model) throws {
        let traffic = DecodeTraffic(model: model)
        let tensors = model.file.tensors
        let embedding = try #require(tensors.first { $0.name == "token_embd.weight" })
        let all = tensors.reduce(0) { $0 + $1.byteCount }
        let tied = !tensors.contains { $0.name == "output.weight" }
        #expect(traffic.weightBytes == (tied ? all : all - embedding.byteCount + embedding.rowBytes))
        let hp = model.hyperparameters
        #expect(traffic.kvBytesPerLayerPosition == hp.kvHeadCount * (hp.keyWidth + hp.valueWidth) * 4)
        #expect(traffic.bytes(atPosition: 0) == traffic.weightBytes + hp.layerCount * traffic.kvBytesPerLayerPosition)
        #expect(traffic.meanBytes(over: 0..<2) == Double(traffic.bytes(atPosition: 0) + traffic.bytes(atPosition: 1)) / 2)
    }
}
