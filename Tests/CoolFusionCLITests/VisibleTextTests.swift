@testable import coolfusion
import Testing

/// How the terminal shows a text: whitespace, the quote and backslashes escaped, so a shown string
/// reads back to exactly one text (a newline and a backslash followed by `n` look different).
@Suite struct VisibleTextTests {
    @Test func escapesWhitespaceTheQuoteAndBackslashes() {
        let text = "a\tb\nc\r\\n \"it's\""
        #expect(VisibleText.quoted(text) == #""a\tb\nc\r\\n \"it's\"""#)
        #expect(VisibleText.quoted(text, quote: "'") == #"'a\tb\nc\r\\n "it\'s"'"#)
        #expect(FusionTraceFormatter.quoted(text) == VisibleText.quoted(text))
        #expect(TokenizeCommand.visible(text) == VisibleText.quoted(text, quote: "'"))
    }
}
