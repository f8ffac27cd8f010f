import Foundation

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
