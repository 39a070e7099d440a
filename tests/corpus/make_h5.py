"""make_h5.py: writes the HDF5 cases of the corpus (tests/corpus/expected.txt)
into the folder given as the only argument. They are made at test time with
h5py rather than kept as binary files: each is a small panel in the layout of
docs/manual.md "HDF5 panels", good or damaged in one way.

Usage: /usr/bin/python3 make_h5.py FOLDER
"""
import os
import sys

import h5py
import numpy as np

# Ten observations of three persons: 10 cells, total count 8.
IDS = ["1"] * 4 + ["2"] * 3 + ["3"] * 3
AGES = [12.0, 13, 14, 15, 12, 13, 14, 12, 13, 14]
COUNTS = [0, 1, 2, 0, 1, 0, 0, 3, 1, 0]


def panel(path, version=1, ids=None, age=None, count=None):
    """A panel file with the given datasets (None: the good one; False: none)."""
    with h5py.File(path, "w") as f:
        g = f.create_group("panel")
        if version is not None:
            g.attrs.create("format_version", version, dtype="int32")
        if ids is not False:
            g["id"] = ids if ids is not None else np.array(IDS, dtype=h5py.string_dtype())
        if age is not False:
            g["age"] = age if age is not None else np.array(AGES, dtype="float64")
        if count is not False:
            g["count"] = count if count is not None else np.array(COUNTS, dtype="int64")


def compact_empty(path):
    """The good panel with /panel/count stored compact (in its object header),
    then the size of that data in the layout message set to 0 bytes: a
    damaged file on which HDF5 1.10's H5Dread copies from a null pointer."""
    with h5py.File(path, "w") as f:
        g = f.create_group("panel")
        g.attrs.create("format_version", 1, dtype="int32")
        g["id"] = np.array(IDS, dtype=h5py.string_dtype())
        g["age"] = np.array(AGES, dtype="float64")
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        ds = h5py.h5d.create(g.id, b"count", h5py.h5t.STD_I64LE, h5py.h5s.create_simple((len(COUNTS),)), dcpl=dcpl)
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array(COUNTS, dtype="<i8"))
    data = bytearray(open(path, "rb").read())
    at = data.find(np.array(COUNTS, dtype="<i8").tobytes())
    # layout message version 3: version, class 0 (compact), size (2 bytes), data
    assert at >= 4 and data[at - 4:at - 2] == b"\x03\x00", "compact layout message not found"
    data[at - 2:at] = b"\x00\x00"
    open(path, "wb").write(data)


def main(folder):
    os.makedirs(folder, exist_ok=True)
    at = lambda name: os.path.join(folder, name)
    panel(at("h5_ok.h5"))  # variable-length string ids, int64 counts
    panel(at("h5_int_ids.h5"), ids=np.array([int(i) for i in IDS], dtype="int32"),
          count=np.array(COUNTS, dtype="uint8"))
    panel(at("h5_wrong_type.h5"), age=np.array([str(a).encode() for a in AGES], dtype="S6"))
    panel(at("h5_2d.h5"), count=np.array([COUNTS, COUNTS], dtype="int32").T)
    panel(at("h5_unequal.h5"), count=np.array(COUNTS[:-1], dtype="int32"))
    panel(at("h5_newer_version.h5"), version=99)
    panel(at("h5_missing_count.h5"), count=False)
    with h5py.File(at("h5_no_panel.h5"), "w") as f:
        f["data/id"] = np.array(IDS, dtype="S1")
    compact_empty(at("h5_compact_empty.h5"))
    panel(at("h5_truncated.h5"))
    size = os.path.getsize(at("h5_truncated.h5"))
    with open(at("h5_truncated.h5"), "r+b") as f:
        f.truncate(size // 2)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_h5.py FOLDER")
    main(sys.argv[1])
