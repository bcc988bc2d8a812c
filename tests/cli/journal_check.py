#!/usr/bin/python3
"""Reads a run's journal files (engine/journal.h format) strictly: a 12-byte header (magic
SBJ1, plan hash), then records of magic, unit, failed, length (little-endian u64), payload
and an FNV-1a 64 checksum of all that, up to the file's last byte. An empty file is allowed
(its header write failed). For each output folder named, prints "DIR N" (N: units with a
successful record), or "DIR FAIL" with the file and offset of the first byte that is not
part of a whole, valid record.
Strict on purpose: a fault injected by SB_FAULT writes all of a call or nothing, so nothing
a faulted run leaves may be torn."""
import glob
import os
import struct
import sys

def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h

def check(outdir):
    done = set()
    for path in sorted(glob.glob(os.path.join(outdir, "journal", "a*-r*.sbj"))):
        data = open(path, "rb").read()
        if not data:
            continue
        if len(data) < 12 or data[:4] != b"SBJ1":
            return None, f"{path}: torn or wrong header ({len(data)} bytes)"
        p = 12
        while p < len(data):
            if p + 32 > len(data):
                return None, f"{path}: offset {p}: torn record head"
            magic, unit, failed, n = struct.unpack_from("<4Q", data, p)
            end = p + 32 + n
            if magic != 0x5342524B or failed > 1 or end + 8 > len(data):
                return None, f"{path}: offset {p}: bad or torn record"
            (cs,) = struct.unpack_from("<Q", data, end)
            if cs != fnv1a64(data[p:end]):
                return None, f"{path}: offset {p}: checksum mismatch"
            if not failed:
                done.add(unit)
            p = end + 8
    return len(done), None

if __name__ == "__main__":
    for outdir in sys.argv[1:]:
        n, problem = check(outdir)
        print(outdir, f"FAIL {problem}" if problem else n)
