// Temporary until the tokenizer branch lands; then `TokenID` comes from CoolFusionTokenizers.
public typealias TokenID = Int32
