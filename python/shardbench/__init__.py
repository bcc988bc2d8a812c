"""shardbench's Python bridge: write its input files from NumPy/PyTorch arrays and load
its results into pandas. Writers check shapes, dtypes and ranges the way shardbench's C
readers do and raise FormatError (a ValueError) naming the array and the first bad index
before anything is written; files appear atomically (temporary name, then rename).

Only numpy and h5py are needed to write; pandas to load. See docs/python.md."""
from ._check import FormatError
from .distshift import write_distshift_envs, write_distshift_points, write_distshift_sets
from .explain import write_explain
from .forecast import CATEGORIES, write_forecast
from .pose import write_pose
from .results import Results, load
from .splitcomp import write_splitcomp, write_traces
from .transfer import write_manifest, write_pair
from .tts import write_tts, write_tts_manifest

__version__ = "0.1.0"
__all__ = [
    "FormatError", "Results", "load", "CATEGORIES",
    "write_pair", "write_manifest", "write_pose", "write_forecast",
    "write_distshift_sets", "write_distshift_envs", "write_distshift_points",
    "write_explain", "write_splitcomp", "write_traces", "write_tts", "write_tts_manifest",
]
