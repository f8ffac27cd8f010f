/// How RoPE pairs up the dimensions of a head it rotates (n = rotated dimensions).
enum RopeStyle: Sendable {
    /// Pairs (2i, 2i+1): llama.cpp's `LLAMA_ROPE_TYPE_NORM` (llama).
    case adjacentPairs
    /// Pairs (i, i + n/2): GPT-NeoX style, llama.cpp's `LLAMA_ROPE_TYPE_NEOX` (qwen2, gemma3).
    case halves
}
