import CoolFusionKernels

/// How a model's matrix products round (`Model.rounding`): `.llamaCpp` reproduces llama.cpp's CPU
/// results bit for bit, `.batchInvariant` makes a batch compute exactly what its rows would one at
/// a time. Re-exported so engine users need not import the kernels module.
public typealias MatmulRounding = CoolFusionKernels.MatmulRounding
