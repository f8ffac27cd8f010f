import CoolFusionKernels

/// Greedy token, log-probabilities and confidence of a row of logits from one kernel (see
/// `CoolFusionKernels.LogitStatistics`). Re-exported so engine users need not import the kernels module.
public typealias LogitStatistics = CoolFusionKernels.LogitStatistics
