"""Reads safetensors checkpoints into float32 torch tensors.

No `safetensors` package exists for this Python (Debian packages python3-torch, not safetensors), so the
format is read here directly: 8 bytes of little-endian header length, a JSON header naming each tensor's
dtype, shape and [begin, end) byte offsets into the data that follows, and the raw little-endian data.
A sharded checkpoint (model.safetensors.index.json) is read shard by shard.
"""

import json
import os

import numpy as np
import torch

_DTYPES = {"F32": "<f4", "F16": "<f2", "BF16": "<u2", "F64": "<f8"}


def read_file(path):
    """Every tensor of one .safetensors file, by name, as float32."""
    with open(path, "rb") as f:
        header_length = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(header_length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = entry["dtype"]
        if dtype not in _DTYPES:
            raise ValueError("%s: tensor '%s' has dtype %s; this reader knows %s"
                             % (path, name, dtype, ", ".join(_DTYPES)))
        begin, end = entry["data_offsets"]
        values = np.frombuffer(data[begin:end], dtype=_DTYPES[dtype])
        if dtype == "BF16":
            # bfloat16 is the upper half of a float32.
            values = (values.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = torch.from_numpy(values.astype(np.float32).reshape(entry["shape"]))
    return tensors


def read_folder(folder):
    """Every tensor of the checkpoint in `folder`, one file or shards listed in an index."""
    index = os.path.join(folder, "model.safetensors.index.json")
    if not os.path.exists(index):
        return read_file(os.path.join(folder, "model.safetensors"))
    with open(index) as f:
        shards = sorted(set(json.load(f)["weight_map"].values()))
    tensors = {}
    for shard in shards:
        tensors.update(read_file(os.path.join(folder, shard)))
    return tensors
