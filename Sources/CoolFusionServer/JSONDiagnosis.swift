import CoolFusionRemote
import Foundation

/// Why a body that `JSONDecoder` refused as "not valid JSON" was refused, in words a client can act on.
/// The decoder says no more than that, for malformed JSON, for text that is not UTF-8, for a lone
/// UTF-16 surrogate in a `\u` escape and for a number that does not fit its field alike.
enum JSONDiagnosis {
    /// The problem and the field it is in, or nil when the body is simply not JSON.
    static func explain<T: Decodable>(_ data: Data, decoding type: T.Type) -> APIError? {
        if let problem = textProblem(Array(data)) { return problem }
        return numberProblem(data, decoding: type)
    }

    /// Invalid UTF-8 or a lone surrogate escape inside a string, with the key of the value it is in.
    static func textProblem(_ bytes: [UInt8]) -> APIError? {
        var index = 0
        var lastString: (start: Int, end: Int)?
        var key: String?
        func field() -> String { key.map { "field '\(RequestBody.snakeCase($0))'" } ?? "the request body" }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":"), let string = lastString {
                key = String(decoding: bytes[string.start..<string.end], as: UTF8.self)
            }
            guard byte == UInt8(ascii: "\"") else {
                if byte >= 0x80 { return .badRequest("\(field()) is not valid UTF-8 (byte \(index))", param: key) }
                index += 1
                continue
            }
            let start = index + 1
            index = start
            var pendingHigh = false
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                    if bytes[index + 1] == UInt8(ascii: "u"), index + 6 <= bytes.count,
                       let unit = UInt16(String(decoding: bytes[(index + 2)..<(index + 6)], as: UTF8.self), radix: 16) {
                        let high = (0xD800...0xDBFF).contains(unit), low = (0xDC00...0xDFFF).contains(unit)
                        if pendingHigh != low || (pendingHigh && high) {
                            return lone(field(), key)
                        }
                        pendingHigh = high
                        index += 6
                        continue
                    }
                    if pendingHigh { return lone(field(), key) }
                    index += 2
                    continue
                }
                if pendingHigh { return lone(field(), key) }
                index += 1
            }
            if pendingHigh { return lone(field(), key) }
            let end = min(index, bytes.count)
            if String(validating: bytes[start..<end], as: UTF8.self) == nil {
                return .badRequest("\(field()) is not valid UTF-8", param: key.map(RequestBody.snakeCase))
            }
            lastString = (start, end)
            index += 1
        }
        return nil
    }

    private static func lone(_ field: String, _ key: String?) -> APIError {
        .badRequest("\(field) holds a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair), which is "
                    + "not a character", param: key.map(RequestBody.snakeCase))
    }

    /// A top-level number that makes the decoding fail (a fraction or an out-of-range value where an
    /// integer belongs): found by replacing each number in turn with 1 and decoding again.
    static func numberProblem<T: Decodable>(_ data: Data, decoding type: T.Type) -> APIError? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            guard let number = value as? NSNumber, !(value is Bool) else { continue }
            var replaced = object
            replaced[key] = 1
            guard let patched = try? JSONSerialization.data(withJSONObject: replaced),
                  (try? WireCoding.decoder().decode(T.self, from: patched)) != nil else { continue }
            return .badRequest("field '\(key)' must be an integer in range, got \(number)", param: key)
        }
        return nil
    }
}
