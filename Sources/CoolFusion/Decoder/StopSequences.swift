import Foundation

/// Stop sequences: generation ends where one of them first appears in the generated text.
public enum StopSequences {
    /// The position where the earliest occurrence of any stop sequence starts, if any.
    public static func firstMatch(in text: String, stopSequences: [String]) -> String.Index? {
        var earliest: String.Index?
        for stop in stopSequences where !stop.isEmpty {
            if let range = text.range(of: stop), earliest.map({ range.lowerBound < $0 }) ?? true {
                earliest = range.lowerBound
            }
        }
        return earliest
    }
}
