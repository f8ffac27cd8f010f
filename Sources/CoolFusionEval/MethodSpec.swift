/// One column of the evaluation: a generation method, for `single` the model it runs, and options
/// a method may take (e.g. a selection rule), written `METHOD[:KEY=VALUE]...` in `--methods`:
/// `cool`, `cool:selection=logppl`, `rerank:selection=vote:weights=1/1/0.5`.
public struct MethodSpec: Sendable, Hashable, Codable {
    /// The base methods, as the paper names them (Table 3) and `coolfusion generate --method` spells them.
    public static let baseMethods = ["single", "cool", "cool-align", "rerank", "cool+rerank", "gated"]

    /// One of `baseMethods`.
    public var method: String
    /// For `single`: the model it runs.
    public var model: String?
    /// Options for the generator, e.g. `selection`; interpreted (and rejected if unknown) there.
    public var options: [String: String]

    public init(method: String, model: String? = nil, options: [String: String] = [:]) {
        self.method = method
        self.model = model
        self.options = options
    }

    public var isSingle: Bool { method == "single" }

    /// `rerank` and `cool+rerank` choose among whole answers other columns also write (the singles'
    /// and Cool's), so a run does them last for each item and lets them reuse those answers.
    public var buildsOnOtherColumns: Bool { method == "rerank" || method == "cool+rerank" }

    /// The column's unique name in results and reports: the model for a single model, else the
    /// method with its options in key order (`cool:selection=logppl`).
    public var id: String {
        if isSingle, let model { return model + optionSuffix }
        return method + optionSuffix
    }

    private var optionSuffix: String {
        options.keys.sorted().map { ":\($0)=\(options[$0] ?? "")" }.joined()
    }

    /// A file name for the column's JSONL: the id with anything but letters, digits, `.`, `-`, `_`,
    /// `+` and `=` replaced by `_`, prefixed `single-` for models so they never clash with methods.
    public var fileStem: String {
        let raw = isSingle ? "single-" + id : id
        return String(raw.map { $0.isLetter || $0.isNumber || ".-_+=".contains($0) ? $0 : "_" })
    }

    /// Parses a comma-separated `--methods` list; `single` expands to one column per model.
    public static func parseList(_ text: String, models: [String]) throws -> [MethodSpec] {
        var specs: [MethodSpec] = []
        for part in text.split(separator: ",") {
            let fields = String(part).trimmingWhitespace.split(separator: ":").map(String.init)
            guard let method = fields.first, !method.isEmpty else { continue }
            guard baseMethods.contains(method) else { throw EvalError.unknownMethod(method, valid: baseMethods) }
            var options: [String: String] = [:]
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2, !pair[0].isEmpty else { throw EvalError.badMethodOption(method: method, option: field) }
                options[pair[0]] = pair[1]
            }
            if method == "single" {
                guard !models.isEmpty else { throw EvalError.noModels }
                specs += models.map { MethodSpec(method: method, model: $0, options: options) }
            } else {
                specs.append(MethodSpec(method: method, options: options))
            }
        }
        var seen: Set<String> = []
        specs = specs.filter { seen.insert($0.id).inserted }
        guard !specs.isEmpty else { throw EvalError.emptyMethodList }
        return specs
    }
}
