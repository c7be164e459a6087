"""The trusted grading engine of the d2l course kit."""
import os as _os

# torch.cuda.is_available() and device_count() ask NVML instead of initialising CUDA, so the
# processes that fork graders and workers stay fork-safe; CUDA starts only where tensors meet it.
_os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")

__version__ = "0.1.0"
