/// A token id in a model's vocabulary, the same width llama.cpp uses (`llama_token`).
public typealias TokenID = Int32
