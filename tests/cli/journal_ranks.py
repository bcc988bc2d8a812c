#!/usr/bin/python3
"""Which units each rank ran, read from a run's journal files (engine/journal.h format):
a 12-byte header (magic SBJ1, plan hash), then records of magic, unit, failed, length,
payload and checksum, all little-endian u64. Prints one line per rank: rank, then ids."""
import glob
import os
import re
import struct
import sys

def units_by_rank(outdir):
    ranks = {}
    for path in sorted(glob.glob(os.path.join(outdir, "journal", "a*-r*.sbj"))):
        rank = int(re.search(r"-r(\d+)\.sbj$", path).group(1))
        data = open(path, "rb").read()
        assert data[:4] == b"SBJ1", path
        p = 12
        ids = ranks.setdefault(rank, [])
        while p + 32 <= len(data):
            magic, unit, failed, n = struct.unpack_from("<4Q", data, p)
            if magic != 0x5342524B or p + 32 + n + 8 > len(data):
                break
            ids.append(unit)
            p += 32 + n + 8
    return ranks

if __name__ == "__main__":
    for rank, ids in sorted(units_by_rank(sys.argv[1]).items()):
        print(rank, *ids)
