/// Receives named intermediate tensors of a forward pass, for comparing the engine with llama.cpp
/// op by op (scripts/engine_trace.py). Names follow llama.cpp's graph (`attn_norm-3`, `Qcur-3`,
/// `ffn_out-3`, `l_out-3`, `result_norm`, `result_output`). `values` is [rows][cols], valid only
/// during the call. A nil trace (the default) costs one branch per operation.
public typealias ForwardTrace = (_ name: String, _ rows: Int, _ cols: Int, _ values: UnsafePointer<Float>) -> Void
