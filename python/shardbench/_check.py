"""Shape and dtype checks shared by the writers.

They mirror the C readers (src/io/h5read.c and each task's reader): a numeric
array may be any integer or float width (floats are stored as float64 unless
given as float32), an integer array must hold integers (the C reader rejects a
float dataset where it wants integers), NaN and Inf are refused where the
reader refuses them. Every error is a FormatError naming the writer, the
dataset and the first bad index, before anything is written.
"""
import os
import tempfile

import numpy as np


class FormatError(ValueError):
    """An array or table that shardbench would refuse to read."""


def fail(where, msg):
    raise FormatError(f"{where}: {msg}")


def _shape_str(shape):
    return "(" + "x".join(str(s) for s in shape) + ")" if shape else "scalar"


def _index(arr, flat):
    idx = np.unravel_index(flat, arr.shape)
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def _as_array(where, name, x):
    if hasattr(x, "detach"):  # a torch tensor: leave the device and autograd
        x = x.detach().cpu().numpy()
    try:
        return np.asarray(x)
    except Exception as e:  # ragged lists and the like
        fail(where, f"{name} is not an array ({e})")


def shape(where, name, arr, want):
    """want: tuple of ints or None (any size); its length is the rank."""
    if arr.ndim != len(want) or any(w is not None and w != s for w, s in zip(want, arr.shape)):
        exp = "(" + "x".join("?" if w is None else str(w) for w in want) + ")"
        fail(where, f"{name} has shape {_shape_str(arr.shape)}; expected {exp}")
    return arr


def real(where, name, x, want, finite=True, keep32=False):
    """A float or integer array of shape want, returned as float64 (or float32 if keep32)."""
    arr = _as_array(where, name, x)
    if arr.dtype.kind not in "fiub":
        fail(where, f"{name} has dtype {arr.dtype}; expected numbers (float or integer)")
    shape(where, name, arr, want)
    out = arr.astype(np.float32 if keep32 and arr.dtype == np.float32 else np.float64)
    if finite:
        bad = ~np.isfinite(out)
        if bad.any():
            flat = int(np.flatnonzero(bad)[0])
            v = out.flat[flat]
            fail(where, f"{name}{_index(out, flat)} is {'NaN' if np.isnan(v) else 'Inf'}")
    return out


def integer(where, name, x, want, lo=None, hi=None, allowed=None, dtype=np.int64):
    """An integer (or bool) array of shape want with values in [lo, hi] or in allowed."""
    arr = _as_array(where, name, x)
    if arr.dtype.kind not in "iub":
        fail(where, f"{name} has dtype {arr.dtype}; expected integers (the reader refuses floats here)")
    shape(where, name, arr, want)
    out = arr.astype(np.int64)
    if allowed is not None:
        bad = ~np.isin(out, list(allowed))
        what = "not in {" + ", ".join(str(a) for a in allowed) + "}"
    else:
        bad = np.zeros(out.shape, bool)
        if lo is not None:
            bad |= out < lo
        if hi is not None:
            bad |= out > hi
        what = f"outside {lo if lo is not None else '-inf'}..{hi if hi is not None else 'inf'}"
    if bad.any():
        flat = int(np.flatnonzero(bad)[0])
        fail(where, f"{name}{_index(out, flat)} = {int(out.flat[flat])} is {what}")
    return out.astype(dtype)


def in_range(where, name, arr, lo=None, hi=None, strict_lo=False, mask=None):
    """Checks lo <= arr <= hi (lo < arr if strict_lo) where mask is true (everywhere if None)."""
    bad = np.zeros(arr.shape, bool)
    if lo is not None:
        bad |= (arr <= lo) if strict_lo else (arr < lo)
    if hi is not None:
        bad |= arr > hi
    if mask is not None:
        bad &= mask
    if bad.any():
        flat = int(np.flatnonzero(bad)[0])
        rng = f"{'>' if strict_lo else '>='} {lo}" if hi is None else f"in [{lo}, {hi}]"
        fail(where, f"{name}{_index(arr, flat)} = {arr.flat[flat]:g} is not {rng}")


def strings(where, name, x, n=None, unique=False, nonempty=False):
    """A 1-D list of str (numpy str/bytes arrays accepted)."""
    if isinstance(x, str):
        fail(where, f"{name} is one string; expected a list of strings")
    vals = []
    for i, s in enumerate(list(x)):
        if isinstance(s, bytes):
            s = s.decode("utf-8")
        if not isinstance(s, str):
            fail(where, f"{name}[{i}] is {type(s).__name__}, not a string")
        if nonempty and not s:
            fail(where, f"{name}[{i}] is empty")
        vals.append(s)
    if n is not None and len(vals) != n:
        fail(where, f"{name} has {len(vals)} entries; expected {n}")
    if unique:
        seen = {}
        for i, s in enumerate(vals):
            if s in seen:
                fail(where, f"{name}[{i}] repeats {name}[{seen[s]}] ('{s}')")
            seen[s] = i
    return vals


def name_ok(where, what, s):
    """HDF5 group member names: non-empty, no '/', no control characters, not '.'."""
    if not isinstance(s, str) or not s or "/" in s or s == "." or any(ord(c) < 0x20 or ord(c) == 0x7F for c in s):
        fail(where, f"{what} {s!r} is not a usable name (non-empty, no '/', no control characters)")
    return s


def vlen_str():
    import h5py

    return h5py.string_dtype("utf-8")


def put_strings(group, name, vals):
    group.create_dataset(name, data=np.array(vals, dtype=object), dtype=vlen_str())


def atomic_h5(path, fill, mode="w"):
    """Writes an HDF5 file through a temporary name in the same folder, then renames it,
    so a failed export never leaves a half-written input behind (mode 'a' copies first)."""
    import shutil

    import h5py

    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sb-", suffix=".h5.tmp", dir=folder)
    os.close(fd)
    try:
        if mode == "a" and os.path.exists(path):
            shutil.copyfile(path, tmp)
            h5mode = "a"
        else:
            h5mode = "w"
        with h5py.File(tmp, h5mode) as f:
            fill(f)
        umask = os.umask(0)  # mkstemp made it 0600: give it the mode a plain open() would
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
