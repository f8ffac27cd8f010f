import CoolFusionRemote

/// Word splitters of the fused models' tokenizers, by package digest, as uploaded by masters (plus the
/// worker's own). Bounded so a misbehaving client cannot grow it without limit.
actor SplitterStore {
    private var splitters: [String: PackagedWordSplitter] = [:]
    private var order: [String] = []
    let capacity: Int
    let pinned: String

    init(own: PackagedWordSplitter, capacity: Int = 32) {
        splitters[own.package.digest] = own
        pinned = own.package.digest
        self.capacity = capacity
    }

    func splitter(_ digest: String) -> PackagedWordSplitter? { splitters[digest] }

    /// Adds an uploaded package after checking that its bytes have the digest it was sent under and
    /// that it loads as a tokenizer.
    func add(bytes: [UInt8], digest: String) throws {
        let package = TokenizerPackage(bytes: bytes)
        guard package.digest == digest.lowercased() else {
            throw APIError.badRequest("the uploaded tokenizer's SHA-256 is \(package.digest), not \(digest)")
        }
        guard splitters[digest] == nil else { return }
        let splitter: PackagedWordSplitter
        do {
            splitter = try PackagedWordSplitter(package: package)
        } catch {
            throw APIError.badRequest("the uploaded tokenizer does not load: \(error)")
        }
        if order.count >= capacity, let oldest = order.first {
            order.removeFirst()
            splitters.removeValue(forKey: oldest)
        }
        splitters[digest] = splitter
        order.append(digest)
    }
}
