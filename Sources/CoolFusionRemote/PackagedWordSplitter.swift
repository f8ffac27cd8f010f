import CoolFusion
import CoolFusionTokenizers

/// A word splitter that knows which tokenizer package it comes from, so it can be named to a remote
/// worker (by the package's digest) and re-created there. Every model of a fusion that includes a
/// remote model must hand out splitters of this kind (`PackagedSourceModel` wraps local ones).
public struct PackagedWordSplitter: WordSplitter {
    public let tokenizer: Tokenizer
    public let package: TokenizerPackage

    public init(tokenizer: Tokenizer, package: TokenizerPackage) {
        self.tokenizer = tokenizer
        self.package = package
    }

    /// Builds the tokenizer from the package.
    public init(package: TokenizerPackage) throws {
        self.init(tokenizer: try package.makeTokenizer(), package: package)
    }

    public func wordRanges(in text: String) -> [Range<Int>] { tokenizer.words(text) }
}
