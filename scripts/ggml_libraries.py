# Shared setup of the kernel side-by-side scripts (kernels_vs_ggml.py, kernels_bits_vs_ggml.py):
# checks the pinned llama-cpp-python, compiles Sources/CCoolFusionKernels with clang into a temporary
# shared library, and loads it beside the libggml-cpu that llama-cpp-python ships.
import ctypes, glob, os, subprocess, sys, tempfile

PINNED = "0.3.36"


def load():
    """Returns (ggml, ours): ctypes handles of libggml-cpu (initialised) and of our kernels."""
    import llama_cpp
    if llama_cpp.__version__ != PINNED:
        sys.exit(f"need llama-cpp-python=={PINNED}, found {llama_cpp.__version__}")
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    sources = os.path.join(root, "Sources", "CCoolFusionKernels")
    library = os.path.join(tempfile.mkdtemp(), "libcoolfusion_kernels.so")
    subprocess.run(["clang", "-O2", "-shared", "-fPIC", "-I", sources, "-I", os.path.join(sources, "include"),
                    *glob.glob(os.path.join(sources, "*.c")), "-o", library, "-lpthread", "-lm"], check=True)
    ggml_dir = os.path.join(os.path.dirname(llama_cpp.__file__), "lib")
    ctypes.CDLL(os.path.join(ggml_dir, "libggml-base.so"), mode=ctypes.RTLD_GLOBAL)
    ggml = ctypes.CDLL(os.path.join(ggml_dir, "libggml-cpu.so"))
    ours = ctypes.CDLL(library)
    ggml.ggml_cpu_init()
    return ggml, ours
