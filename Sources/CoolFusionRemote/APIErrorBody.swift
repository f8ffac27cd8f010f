/// The JSON body of every error answer, in OpenAI's shape:
/// `{"error": {"message": "...", "type": "invalid_request_error", "param": "max_tokens", "code": null}}`.
/// `missing` is the worker protocol's list of unknown tokenizer digests (code `unknown_tokenizer`).
public struct APIErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var message: String
        public var type: String
        public var param: String?
        public var code: String?
        public var missing: [String]?

        public init(message: String, type: String, param: String? = nil, code: String? = nil, missing: [String]? = nil) {
            self.message = message
            self.type = type
            self.param = param
            self.code = code
            self.missing = missing
        }
    }

    public var error: Detail

    public init(error: Detail) { self.error = error }
}
