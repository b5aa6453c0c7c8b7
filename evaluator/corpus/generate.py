#!/usr/bin/env python3
"""Writes the evaluator's labelled corpus: hostile files built from the bypass classes reported
against public pickle scanners, and benign files made by the real libraries.

Run from the repository root, in the git-ignored virtual environment:

    python3 -m venv evaluator/.venv
    evaluator/.venv/bin/pip install numpy safetensors onnx gguf joblib h5py
    evaluator/.venv/bin/python evaluator/corpus/generate.py

Every payload is harmless: the code a hostile file would run is `os.getcwd()` (or a string that
calls it). Keras is not installed (even its NumPy backend needs jax): the .keras archives and the
Keras H5 file are written in Keras 3's layout with h5py and zipfile. PyTorch is not installed
(its wheels are gigabytes): the two torch.save layouts are
written by `TorchWriter` below, which reproduces torch 2.x's bytes (protocol 2 pickles with
`('storage', <Storage class>, key, 'cpu', numel)` persistent ids; the zip with stored members
aligned to 64 bytes by an `FB` local extra field, then `version` and `.data/serialization_id`;
the legacy stream of five pickles and the raw storages, each after its u64 element count).
"""

import base64
import bz2
import collections
import gzip
import io
import json
import lzma
import marshal
import os
import pickle
import shutil
import struct
import sys
import types
import zipfile
import zlib
from pathlib import Path

import gguf  # noqa: E402
import joblib  # noqa: E402
import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from safetensors.numpy import save as safetensors_save  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "files"
LABELS: list[dict] = []
RNG = np.random.default_rng(15)

CARD = """---
license: mit
pipeline_tag: text-classification
---
# Corpus sample

## Intended uses
Testing model checks.

## Limitations
Not a real model.

## Training data
Random numbers.

## Evaluation
None.
"""


def add(path: str, data, label: str, cls: str, provenance: str, reference: str = "") -> None:
    """Writes one sample (bytes, or a dict of relative path -> bytes for a folder) and labels it."""
    target = OUT / path
    if isinstance(data, dict):
        target.mkdir(parents=True, exist_ok=True)
        for name, content in data.items():
            file = target / name
            file.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, tuple) and content[0] == "symlink":
                os.symlink(content[1], file)
            else:
                file.write_bytes(content)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    entry = {"path": path, "label": label, "class": cls, "provenance": provenance}
    if reference:
        entry["reference"] = reference
    LABELS.append(entry)


# ---------------------------------------------------------------- payloads (harmless)


class GetCwd:
    """Unpickling this calls os.getcwd(): the stand-in for any command."""

    def __reduce__(self):
        return (os.getcwd, ())


def evil(protocol: int = 2) -> bytes:
    return pickle.dumps(GetCwd(), protocol=protocol)


def raw_pickle(*parts) -> bytes:
    out = b""
    for part in parts:
        out += part.encode("latin1") if isinstance(part, str) else bytes(part)
    return out


def short_str(text: str) -> bytes:
    data = text.encode()
    return bytes([0x8C, len(data)]) + data


def call(module: str, name: str, *args: str, protocol: int = 4) -> bytes:
    """A pickle calling module.name(*args) with string arguments (STACK_GLOBAL from protocol 4)."""
    head = b"\x80" + bytes([protocol])
    if protocol >= 4:
        target = short_str(module) + short_str(name) + b"\x93"
    else:
        target = f"c{module}\n{name}\n".encode()
    arguments = b"(" + b"".join(short_str(a) if protocol >= 4 else b"X" + struct.pack("<I", len(a.encode())) + a.encode() for a in args) + b"t"
    return head + target + arguments + b"R."


# ---------------------------------------------------------------- torch.save without torch


def install_fake_torch():
    """Module objects named like torch's, so pickle writes the same GLOBALs torch.save does."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):
        raise RuntimeError("never called")

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    torch._utils = utils
    storages = {}
    for name in ("FloatStorage", "HalfStorage", "LongStorage", "IntStorage", "ByteStorage", "DoubleStorage"):
        cls = type(name, (), {})
        cls.__module__ = "torch"
        setattr(torch, name, cls)
        storages[name] = cls
    sys.modules["torch"] = torch
    sys.modules["torch._utils"] = utils
    return torch, storages


TORCH, STORAGE_CLASSES = install_fake_torch()
ELEMENT = {"FloatStorage": ("<f4", 4), "HalfStorage": ("<f2", 2), "LongStorage": ("<i8", 8), "IntStorage": ("<i4", 4), "ByteStorage": ("|u1", 1), "DoubleStorage": ("<f8", 8)}
DTYPE_STORAGE = {np.dtype("<f4"): "FloatStorage", np.dtype("<f2"): "HalfStorage", np.dtype("<i8"): "LongStorage", np.dtype("<i4"): "IntStorage", np.dtype("|u1"): "ByteStorage", np.dtype("<f8"): "DoubleStorage"}


class Storage:
    def __init__(self, key: str, array: np.ndarray):
        self.key = key
        self.kind = DTYPE_STORAGE[array.dtype]
        self.array = np.ascontiguousarray(array).reshape(-1)


class Tensor:
    def __init__(self, storage: Storage, shape):
        self.storage = storage
        self.shape = tuple(shape)

    def __reduce_ex__(self, protocol):
        stride, acc = [], 1
        for dim in reversed(self.shape):
            stride.insert(0, acc)
            acc *= dim
        return (TORCH._utils._rebuild_tensor_v2, (self.storage, 0, self.shape, tuple(stride), False, collections.OrderedDict()))


class TorchPickler(pickle.Pickler):
    legacy = False

    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            pid = ("storage", STORAGE_CLASSES[obj.kind], obj.key, "cpu", obj.array.size)
            return pid + (None,) if self.legacy else pid
        return None


def state_dict(tensors: dict) -> tuple[collections.OrderedDict, list]:
    storages, out = [], collections.OrderedDict()
    for i, (name, array) in enumerate(tensors.items()):
        storage = Storage(str(i), array)
        storages.append(storage)
        out[name] = Tensor(storage, array.shape)
    return out, storages


def torch_pickle(obj, legacy=False) -> bytes:
    buffer = io.BytesIO()
    pickler = TorchPickler(buffer, protocol=2)
    pickler.legacy = legacy
    pickler.dump(obj)
    return buffer.getvalue()


class ZipMember:
    def __init__(self, name, data, method=0, local_name=None, crc=None, local_extra=b"", central_name=None):
        self.name, self.data, self.method = name, data, method
        self.local_name = local_name or name
        self.central_name = central_name or name
        self.crc = zlib.crc32(data) if crc is None else crc
        self.local_extra = local_extra


def write_zip(members, prepend=b"", gap_after=None, append=b"", comment=b"", align=None) -> bytes:
    """A zip writer with hooks for the tricks: lying CRCs and names, gaps, prepended/appended bytes."""
    out = bytearray(prepend)
    central = bytearray()
    for index, m in enumerate(members):
        body = m.data if m.method == 0 else zlib.compress(m.data, 6)[2:-4]
        local_name = m.local_name.encode()
        extra = m.local_extra
        if align:
            start = len(out) - len(prepend) + 30 + len(local_name) + 4
            pad = (-start) % align
            extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        offset = len(out) - len(prepend)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, m.method, 0, 0x21, m.crc, len(body), len(m.data), len(local_name), len(extra))
        out += local_name + extra + body
        name = m.central_name.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, m.method, 0, 0x21, m.crc, len(body), len(m.data), len(name), 0, 0, 0, 0, 0, offset)
        central += name
        if gap_after == index:
            out += evil()
    directory_offset = len(out) - len(prepend)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), directory_offset, len(comment)) + comment
    return bytes(out) + append


def torch_zip(tensors: dict, archive="archive", data_pkl=None, extra_members=()) -> bytes:
    """torch.save(obj, f) (the zip format, torch >= 1.6), for a state dict of NumPy arrays."""
    obj, storages = state_dict(tensors)
    members = [ZipMember(f"{archive}/data.pkl", data_pkl if data_pkl is not None else torch_pickle(obj))]
    members += [ZipMember(f"{archive}/.format_version", b"1"), ZipMember(f"{archive}/.storage_alignment", b"64"), ZipMember(f"{archive}/byteorder", b"little")]
    members += [ZipMember(f"{archive}/data/{s.key}", s.array.tobytes()) for s in storages]
    members += list(extra_members)
    members += [ZipMember(f"{archive}/version", b"3\n"), ZipMember(f"{archive}/.data/serialization_id", b"1504151807021935818200000000000000000000")]
    return write_zip(members, align=64)


def torch_legacy(tensors: dict, obj_pickle=None) -> bytes:
    """torch.save(obj, f, _use_new_zipfile_serialization=False): five pickles, then the storages."""
    obj, storages = state_dict(tensors)
    out = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
    out += pickle.dumps(1001, protocol=2)
    out += pickle.dumps({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2)
    out += obj_pickle if obj_pickle is not None else torch_pickle(obj, legacy=True)
    keys = sorted(s.key for s in storages)
    out += pickle.dumps(keys, protocol=2)
    for key in keys:
        storage = next(s for s in storages if s.key == key)
        out += struct.pack("<q", storage.array.size) + storage.array.tobytes()
    return out


def weights(*shapes, dtype="<f4"):
    return {f"layer{i}.weight": RNG.standard_normal(shape).astype(dtype) for i, shape in enumerate(shapes)}


# ---------------------------------------------------------------- other formats


def npy(array, allow_pickle=False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def npz(compressed=False, **arrays) -> bytes:
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def joblib_bytes(obj, compress=0) -> bytes:
    path = OUT / ".joblib.tmp"
    joblib.dump(obj, path, compress=compress)
    data = path.read_bytes()
    path.unlink()
    return data


def onnx_mlp(sizes=(8, 4, 2), opset=13, external=None) -> dict | bytes:
    nodes, inits, previous = [], [], "x"
    for i in range(len(sizes) - 1):
        w = numpy_helper.from_array(RNG.standard_normal((sizes[i], sizes[i + 1])).astype(np.float32), f"w{i}")
        b = numpy_helper.from_array(RNG.standard_normal((sizes[i + 1],)).astype(np.float32), f"b{i}")
        inits += [w, b]
        nodes.append(helper.make_node("MatMul", [previous, f"w{i}"], [f"m{i}"]))
        out = "y" if i == len(sizes) - 2 else f"h{i}"
        nodes.append(helper.make_node("Add", [f"m{i}", f"b{i}"], [f"a{i}" if out != "y" else "y"]))
        if out != "y":
            nodes.append(helper.make_node("Relu", [f"a{i}"], [out]))
        previous = out
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, sizes[0]])], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, sizes[-1]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="corpus")
    onnx.checker.check_model(model)
    if external is None:
        return model.SerializeToString()
    folder = OUT / ".onnx.tmp"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    onnx.save_model(model, folder / "model.onnx", save_as_external_data=True, all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
    files = {"model.onnx": (folder / "model.onnx").read_bytes(), "weights.bin": (folder / "weights.bin").read_bytes()}
    shutil.rmtree(folder)
    return files


def onnx_external(location: str) -> bytes:
    """A model whose one initializer is read from `location` (a hostile path)."""
    tensor = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4])
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "16")):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"])], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])], [tensor])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()


def gguf_bytes(tensors: dict, arch="llama", extra_kv=True) -> bytes:
    path = OUT / ".gguf.tmp"
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_block_count(len(tensors))
    if extra_kv:
        writer.add_context_length(128)
        writer.add_string("general.name", "corpus")
        writer.add_array("general.tags", ["a", "b"])
    for name, array in tensors.items():
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    data = path.read_bytes()
    path.unlink()
    return data


def keras_config(lambda_layer=False, conv=False) -> dict:
    """A Keras 3 Sequential config as `model.save` writes it in config.json."""

    def layer(cls, name, config, build=None):
        entry = {"module": "keras.layers", "class_name": cls, "config": {"name": name, "trainable": True, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}, **config}, "registered_name": None}
        if build:
            entry["build_config"] = {"input_shape": build}
        return entry

    dense = lambda name, units, shape, activation="linear": layer("Dense", name, {"units": units, "activation": activation, "use_bias": True, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None}, "registered_name": None}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": None}, "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None}, shape)  # noqa: E731
    layers = [{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 8, 8, 1] if conv else [None, 4], "dtype": "float32", "sparse": False, "name": "input_layer"}, "registered_name": None}]
    if conv:
        layers.append(layer("Conv2D", "conv2d", {"filters": 2, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "activation": "linear", "use_bias": True}, [None, 8, 8, 1]))
        layers.append(layer("Flatten", "flatten", {"data_format": "channels_last"}, [None, 6, 6, 2]))
        layers.append(dense("dense", 2, [None, 72], "softmax"))
    else:
        layers.append(dense("dense", 3, [None, 4], "relu"))
        if lambda_layer:
            code = base64.b64encode(marshal.dumps((lambda x: x * 2).__code__)).decode()
            layers.append(layer("Lambda", "lambda", {"function": {"class_name": "__lambda__", "config": {"code": code, "defaults": None, "closure": None}}, "arguments": {}}, [None, 3]))
        layers.append(dense("dense_1", 2, [None, 3]))
    return {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": True, "dtype": "float32", "layers": layers}, "registered_name": None, "build_config": {"input_shape": layers[0]["config"]["batch_shape"]}, "compile_config": None}


def keras_weights_h5(shapes) -> bytes:
    """model.weights.h5 as Keras 3 lays it out: layers/<name>/vars/<i> datasets (written with h5py)."""
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for name, arrays in shapes.items():
            group = f.create_group(f"layers/{name}/vars")
            for i, shape in enumerate(arrays):
                group.create_dataset(str(i), data=RNG.standard_normal(shape).astype(np.float32))
        f.create_group("optimizer/vars")
    return buffer.getvalue()


def keras_bytes(config: dict, shapes: dict) -> bytes:
    """A .keras archive: config.json, metadata.json and model.weights.h5, as keras.Model.save writes them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in (("metadata.json", json.dumps({"keras_version": "3.15.1", "date_saved": "2026-12-07@00:00:00"}).encode()), ("config.json", json.dumps(config).encode()), ("model.weights.h5", keras_weights_h5(shapes))):
            archive.writestr(zipfile.ZipInfo(name, (2026, 12, 7, 0, 0, 0)), data)
    return buffer.getvalue()


def keras_h5(config: dict) -> bytes:
    """A legacy Keras H5 model: the config as the model_config attribute, weights in groups."""
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.attrs["keras_version"] = "3.15.1"
        f.attrs["backend"] = "numpy"
        f.attrs["model_config"] = json.dumps(config)
        f.create_group("model_weights").create_dataset("dense/kernel", data=np.ones((4, 3), dtype=np.float32))
    return buffer.getvalue()


# ---------------------------------------------------------------- the corpus


def benign():
    b = "benign"
    for i, (dtype, shapes) in enumerate([("<f4", [(4, 3), (3,)]), ("<f2", [(8, 8)]), ("<i8", [(5,)]), ("|u1", [(2, 2, 2)]), ("<f8", [(3, 3), (1,)]), ("<i4", [(0,)])]):
        add(f"{b}/safetensors-{i}.safetensors", safetensors_save(weights(*shapes, dtype=dtype)), "benign", "safetensors", f"safetensors.numpy.save, {dtype} {shapes}")
    add(f"{b}/safetensors-metadata.safetensors", safetensors_save(weights((2, 2)), metadata={"format": "pt"}), "benign", "safetensors", "safetensors.numpy.save with __metadata__")
    add(f"{b}/safetensors-many.safetensors", safetensors_save(weights(*[(2, i + 1) for i in range(12)])), "benign", "safetensors", "safetensors.numpy.save, 12 tensors")
    arrays = [("f32", RNG.standard_normal((4, 4)).astype("<f4")), ("i8", np.arange(10, dtype="<i8")), ("bool", np.array([True, False])), ("c64", np.ones(3, dtype="<c8")), ("unicode", np.array(["ab", "cde"])), ("bytes", np.array([b"xy", b"z"])), ("structured", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i2", (2,))])), ("fortran", np.asfortranarray(np.ones((2, 3), dtype="<f8"))), ("scalar", np.array(3.5)), ("empty", np.zeros((0, 4), dtype="<f4")), ("datetime", np.array(["2024-01-01"], dtype="datetime64[D]"))]
    for name, array in arrays:
        add(f"{b}/numpy-{name}.npy", npy(array), "benign", "numpy", f"numpy.save of a {array.dtype} array")
    add(f"{b}/numpy-object-strings.npy", npy(np.array(["a", 1, None], dtype=object), allow_pickle=True), "benign", "numpy-object", "numpy.save(allow_pickle=True) of an object array of str, int and None (only NumPy's own reconstruct calls)")
    add(f"{b}/numpy-savez.npz", npz(a=np.arange(4, dtype="<f4"), b=np.ones((2, 2))), "benign", "npz", "numpy.savez")
    add(f"{b}/numpy-savez-compressed.npz", npz(True, a=np.arange(100, dtype="<i4")), "benign", "npz", "numpy.savez_compressed")
    for i, (sizes, opset) in enumerate([((8, 4, 2), 13), ((16, 8, 8, 3), 17), ((4, 2), 11)]):
        add(f"{b}/onnx-mlp-{i}.onnx", onnx_mlp(sizes, opset), "benign", "onnx", f"onnx.helper MLP {sizes}, opset {opset}, checked by onnx.checker")
    add(f"{b}/onnx-external-data", {**onnx_mlp((8, 4), 13, external=True), "README.md": CARD.encode()}, "benign", "onnx-external", "onnx.save_model(save_as_external_data=True): weights.bin next to model.onnx, with a model card")
    add(f"{b}/gguf-f32.gguf", gguf_bytes({"w": RNG.standard_normal((4, 8)).astype(np.float32)}), "benign", "gguf", "gguf.GGUFWriter, one F32 tensor")
    add(f"{b}/gguf-f16-two.gguf", gguf_bytes({"a": np.ones((2, 32), dtype=np.float16), "b": np.zeros(64, dtype=np.float32)}), "benign", "gguf", "gguf.GGUFWriter, F16 and F32 tensors")
    add(f"{b}/gguf-no-kv.gguf", gguf_bytes({"w": np.arange(16, dtype=np.float32)}, extra_kv=False), "benign", "gguf", "gguf.GGUFWriter, block count only")
    add(f"{b}/joblib-arrays.joblib", joblib_bytes({"w": RNG.standard_normal((3, 4)), "b": np.arange(3, dtype=np.int32)}), "benign", "joblib", "joblib.dump of a dict of NumPy arrays (arrays written after each NumpyArrayWrapper)")
    add(f"{b}/joblib-list.joblib", joblib_bytes([1, 2.5, "three", {"k": (4, 5)}]), "benign", "joblib", "joblib.dump of plain Python values")
    add(f"{b}/joblib-object-array.joblib", joblib_bytes(np.array(["x", 2], dtype=object)), "benign", "joblib", "joblib.dump of an object array (a nested pickle)")
    add(f"{b}/joblib-zlib.joblib", joblib_bytes({"w": np.ones((8, 8))}, compress=3), "benign", "joblib-compressed", "joblib.dump(compress=3): a zlib stream")
    add(f"{b}/joblib-gzip.joblib", joblib_bytes({"w": np.ones(5)}, compress=("gzip", 3)), "benign", "joblib-compressed", "joblib.dump(compress=('gzip', 3))")
    for protocol in range(6):
        add(f"{b}/pickle-plain-p{protocol}.pkl", pickle.dumps({"lr": 0.001, "layers": [64, 32], "name": "mlp", "ok": True}, protocol=protocol), "benign", "pickle", f"pickle.dumps of plain Python values, protocol {protocol}")
    add(f"{b}/pickle-ordereddict.pkl", pickle.dumps(collections.OrderedDict(a=1, b=[1, 2]), protocol=2), "benign", "pickle", "pickle.dumps of a collections.OrderedDict")
    add(f"{b}/torch-zip-f32.pt", torch_zip(weights((4, 3), (3,))), "benign", "pytorch-zip", "TorchWriter: torch.save zip layout of a float32 state dict")
    add(f"{b}/torch-zip-mixed.pt", torch_zip({**weights((2, 2), dtype="<f2"), "step": np.array([7], dtype="<i8")}), "benign", "pytorch-zip", "TorchWriter: torch.save zip layout, float16 and int64 tensors")
    add(f"{b}/torch-zip-named.pth", torch_zip(weights((8,)), archive="model"), "benign", "pytorch-zip", "TorchWriter: torch.save zip layout, archive folder named after the file")
    add(f"{b}/torch-legacy-f32.pt", torch_legacy(weights((4, 3), (3,))), "benign", "pytorch-legacy", "TorchWriter: legacy torch.save (_use_new_zipfile_serialization=False) of a float32 state dict")
    add(f"{b}/torch-legacy-mixed.bin", torch_legacy({"a": np.ones(5, dtype="<f8"), "b": np.arange(3, dtype="<i8"), "c": np.zeros((2, 2), dtype="|u1")}), "benign", "pytorch-legacy", "TorchWriter: legacy torch.save, float64/int64/uint8 storages")
    keras_note = "written in Keras 3's .keras layout (config.json, metadata.json, model.weights.h5 by h5py); Keras itself is not installed (its backends need jax, tensorflow or torch)"
    add(f"{b}/keras-dense.keras", keras_bytes(keras_config(), {"dense": [(4, 3), (3,)], "dense_1": [(3, 2), (2,)]}), "benign", "keras", f"Sequential(Dense, Dense) {keras_note}")
    add(f"{b}/keras-conv.keras", keras_bytes(keras_config(conv=True), {"conv2d": [(3, 3, 1, 2), (2,)], "dense": [(72, 2), (2,)]}), "benign", "keras", f"Sequential(Conv2D, Flatten, Dense) {keras_note}")


def hostile():
    h = "hostile"
    ref_picklescan = "bypass classes reported in the picklescan, modelscan and fickling issue trackers and advisories"
    for protocol in range(6):
        add(f"{h}/reduce-getcwd-p{protocol}.pkl", evil(protocol), "hostile", "reduce-call", f"pickle.dumps of an object whose __reduce__ returns (os.getcwd, ()), protocol {protocol}")
    # memo tricks
    add(f"{h}/memo-binget.pkl", raw_pickle(b"\x80\x04", short_str("os"), b"q\x01", b"0", short_str("getcwd"), b"q\x02", b"0", b"h\x01h\x02\x93)R."), "hostile", "memo", "module and name stored with BINPUT, popped, fetched back with BINGET for STACK_GLOBAL", ref_picklescan)
    add(f"{h}/memo-memoize.pkl", raw_pickle(b"\x80\x04", short_str("posix"), b"\x94", short_str("getcwd"), b"\x94", b"00", b"h\x00h\x01\x93)R."), "hostile", "memo", "MEMOIZE then BINGET: names live only in the memo")
    add(f"{h}/memo-overwrite.pkl", raw_pickle(b"\x80\x04", short_str("collections"), b"q\x01", b"0", short_str("os"), b"q\x01", b"0", short_str("getcwd"), b"q\x02", b"0", b"h\x01h\x02\x93)R."), "hostile", "memo", "memo slot 1 first holds an allowed module, then is overwritten with os before the BINGET")
    add(f"{h}/memo-dup.pkl", raw_pickle(b"\x80\x04", short_str("os"), short_str("getcwd"), b"2", b"0", b"\x93)R."), "hostile", "memo", "DUP and POP around the names before STACK_GLOBAL")
    # nested loads
    add(f"{h}/nested-pickle-loads.pkl", raw_pickle(b"\x80\x02c_pickle\nloads\nq\x00", b"C", bytes([len(evil(2))]), evil(2), b"\x85R."), "hostile", "nested-load", "_pickle.loads(<a pickle calling os.getcwd>): the outer pickle only imports a loader")
    add(f"{h}/nested-torch-load.pkl", raw_pickle(b"\x80\x02ctorch\nload\nq\x00c_io\nBytesIO\nq\x01C", bytes([len(evil(2))]), evil(2), b"\x85R\x85R."), "hostile", "allowlisted-module-abuse", "torch.load(io.BytesIO(<pickle>)): a torch.load gadget; scanners that allow the torch module pass it", ref_picklescan)
    add(f"{h}/numpy-load-gadget.pkl", call("numpy", "load", "weights.npy", protocol=2), "hostile", "allowlisted-module-abuse", "numpy.load('weights.npy'): a NumPy gadget that would load another file (with allow_pickle in newer gadgets)")
    add(f"{h}/numpy-runstring.pkl", call("numpy.testing._private.utils", "runstring", "import os; os.getcwd()", protocol=4), "hostile", "allowlisted-module-abuse", "numpy.testing._private.utils.runstring: exec through an allowed-looking NumPy module", ref_picklescan)
    add(f"{h}/timeit.pkl", call("timeit", "timeit", "import os; os.getcwd()", protocol=2), "hostile", "denylist-gap", "timeit.timeit runs its statement: a module deny-lists forgot", ref_picklescan)
    add(f"{h}/cprofile-run.pkl", call("cProfile", "run", "import os; os.getcwd()", protocol=2), "hostile", "denylist-gap", "cProfile.run executes a string")
    add(f"{h}/pydoc-locate.pkl", call("pydoc", "locate", "os.getcwd", protocol=4), "hostile", "denylist-gap", "pydoc.locate resolves any dotted name")
    add(f"{h}/builtins-getattr.pkl", raw_pickle(b"\x80\x02cbuiltins\ngetattr\nq\x00cbuiltins\n__import__\nX\x02\x00\x00\x00os\x85R", b"X\x06\x00\x00\x00getcwd\x86R)R."), "hostile", "allowlisted-module-abuse", "builtins.getattr(builtins.__import__('os'), 'getcwd')(): builtins is partly allowed by some scanners")
    add(f"{h}/py2-builtin-eval.pkl", b"c__builtin__\neval\n(S'__import__(\"os\").getcwd()'\ntR.", "hostile", "py2-names", "protocol 0 __builtin__.eval (the Python 2 name the unpickler maps to builtins)")
    add(f"{h}/dotted-globals.pkl", raw_pickle(b"\x80\x04", short_str("torch._utils"), short_str("_rebuild_tensor_v2.__globals__"), b"\x93."), "hostile", "allowlisted-module-abuse", "protocol 4 dotted name reaching a function's __globals__ from an allowed torch function", ref_picklescan)
    add(f"{h}/ext1-opcode.pkl", b"\x80\x02\x82\x7f)R.", "hostile", "opcode-evasion", "EXT1: an import through copyreg's extension registry, invisible to name-based scanners")
    add(f"{h}/inst-opcode.pkl", b"(iposix\ngetcwd\n.", "hostile", "opcode-evasion", "INST posix getcwd: the protocol 0 call opcode scanners that only watch GLOBAL/REDUCE miss")
    add(f"{h}/obj-opcode.pkl", b"\x80\x02(cposix\ngetcwd\no.", "hostile", "opcode-evasion", "OBJ with the callable after MARK")
    add(f"{h}/string-escapes.pkl", b"S'o\\x73'\nS'getcwd'\n\x93)R.", "hostile", "opcode-evasion", "protocol 0 STRING literals with escapes ('o\\x73' is 'os') feeding STACK_GLOBAL")
    add(f"{h}/unicode-escapes.pkl", b"V\\u006f\\u0073\nVgetcwd\n\x93)R.", "hostile", "opcode-evasion", "UNICODE raw-unicode-escape literals feeding STACK_GLOBAL")
    # several streams, data after STOP
    benign_pickle = pickle.dumps({"w": [1.0, 2.0]}, protocol=2)
    add(f"{h}/two-streams.pkl", benign_pickle + evil(2), "hostile", "multiple-streams", "a benign pickle followed by a second pickle: a loader that calls load() twice runs it", ref_picklescan)
    add(f"{h}/data-after-stop.pkl", benign_pickle + b"\x00" * 16 + evil(4), "hostile", "data-after-stop", "bytes after STOP (padding, then a pickle): scanners stop at the first STOP")
    add(f"{h}/torch-legacy-sixth-pickle.pt", torch_legacy(weights((2, 2))) + evil(2), "hostile", "multiple-streams", "legacy torch.save followed by a sixth pickle after the storages")
    add(f"{h}/torch-legacy-evil-object.pt", torch_legacy(weights((2, 2)), obj_pickle=evil(2)), "hostile", "reduce-call", "legacy torch.save whose object pickle calls os.getcwd")
    # zip tricks
    add(f"{h}/torch-zip-evil.pt", torch_zip(weights((2, 2)), data_pkl=evil(2)), "hostile", "reduce-call", "torch.save zip whose data.pkl calls os.getcwd")
    add(f"{h}/torch-zip-two-streams.pt", torch_zip(weights((2, 2)), data_pkl=torch_pickle(state_dict(weights((2, 2)))[0]) + evil(2)), "hostile", "multiple-streams", "data.pkl holding a second pickle after the state dict's STOP")
    add(f"{h}/zip-member-not-pkl.pt", torch_zip(weights((2,)), extra_members=[ZipMember("archive/extra/helper.bin", evil(2))]), "hostile", "zip-member-name", "a pickle in a zip member not named .pkl (loaders such as torch.package unpickle it)", ref_picklescan)
    add(f"{h}/zip-crc-lie.pt", write_zip([ZipMember("archive/data.pkl", evil(2), crc=0x12345678), ZipMember("archive/version", b"3\n")]), "hostile", "zip-crc", "data.pkl whose CRC-32 is wrong: scanners that give up on a bad CRC skip it, torch's reader does not check", ref_picklescan)
    add(f"{h}/zip-local-name-mismatch.pt", write_zip([ZipMember("archive/notes.txt", evil(2), local_name="archive/data.pkl"), ZipMember("archive/version", b"3\n")]), "hostile", "zip-header-mismatch", "the central directory calls the member notes.txt, its local header data.pkl (streaming readers trust the local header)")
    add(f"{h}/zip-prepended.pt", write_zip([ZipMember("archive/data.pkl", evil(2))], prepend=b"\x00" * 64), "hostile", "zip-prepended", "64 bytes before the archive; Python's zipfile still opens it", ref_picklescan)
    add(f"{h}/zip-appended-pickle.pt", torch_zip(weights((2,))) + evil(2), "hostile", "zip-appended", "a pickle after the end-of-directory record")
    add(f"{h}/zip-gap-pickle.pt", write_zip([ZipMember("archive/data.pkl", torch_pickle(state_dict(weights((2,)))[0])), ZipMember("archive/data/0", np.ones(2, dtype="<f4").tobytes())], gap_after=0), "hostile", "zip-gap", "a pickle hidden between two members, in bytes no member claims")
    add(f"{h}/zip-deflated-evil.pt", write_zip([ZipMember("archive/data.pkl", evil(2), method=8), ZipMember("archive/version", b"3\n")]), "hostile", "reduce-call", "a deflated data.pkl calling os.getcwd")
    add(f"{h}/zip-duplicate-names.pt", write_zip([ZipMember("archive/data.pkl", benign_pickle), ZipMember("archive/data.pkl", evil(2))]), "hostile", "zip-duplicate", "two members named data.pkl: scanners read one, loaders the other")
    add(f"{h}/zip-nested.zip", write_zip([ZipMember("inner.zip", write_zip([ZipMember("model/data.pkl", evil(2))]))]), "hostile", "zip-nested", "a torch zip inside a zip")
    add(f"{h}/torchscript-code.pt", torch_zip(weights((2,)), extra_members=[ZipMember("archive/code/__torch__.py", b"def forward(self):\n  return 1\n")]), "hostile", "code-container", "a TorchScript archive: torch.jit.load compiles the code/ it carries")
    # disguised extensions and polyglots
    add(f"{h}/disguised.safetensors", evil(4), "hostile", "disguised-extension", "a pickle named .safetensors")
    add(f"{h}/disguised.onnx", evil(2), "hostile", "disguised-extension", "a pickle named .onnx")
    add(f"{h}/disguised-joblib.npy", joblib_bytes(GetCwd()), "hostile", "disguised-extension", "a joblib file named .npy")
    add(f"{h}/polyglot-png.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 24 + evil(2), "hostile", "polyglot", "a PNG signature followed by a pickle")
    add(f"{h}/polyglot-pickle-zip.pt", evil(2) + torch_zip(weights((2,))), "hostile", "polyglot", "a pickle that is also a zip (torch.load sees no zip magic and unpickles; zip readers see a torch archive)", ref_picklescan)
    add(f"{h}/safetensors-trailing-pickle.safetensors", safetensors_save(weights((2, 2))) + evil(2), "hostile", "data-after-end", "a valid safetensors file with a pickle after its last tensor")
    # NumPy, joblib, compressed
    add(f"{h}/npy-object-evil.npy", npy(np.array([GetCwd()], dtype=object), allow_pickle=True), "hostile", "npy-object-array", "numpy.save(allow_pickle=True) of an object array holding a __reduce__ payload")
    add(f"{h}/npz-object-evil.npz", npz(w=np.ones(2), x=np.array([GetCwd()], dtype=object)), "hostile", "npy-object-array", "an .npz whose member x.npy is a hostile object array")
    add(f"{h}/npy-trailing-pickle.npy", npy(np.ones(4, dtype="<f4")) + evil(2), "hostile", "data-after-end", "a float32 .npy followed by a pickle")
    add(f"{h}/joblib-evil.joblib", joblib_bytes(GetCwd()), "hostile", "reduce-call", "joblib.dump of a __reduce__ payload")
    add(f"{h}/joblib-object-array-evil.joblib", joblib_bytes({"w": np.ones(2), "x": np.array([GetCwd()], dtype=object)}), "hostile", "nested-load", "joblib object array: joblib unpickles the nested stream after the wrapper")
    add(f"{h}/joblib-zlib-evil.joblib", joblib_bytes(GetCwd(), compress=3), "hostile", "compressed", "joblib.dump(compress=3) of a payload: the pickle is inside a zlib stream")
    add(f"{h}/gzip-evil.pkl.gz", gzip.compress(evil(2), mtime=0), "hostile", "compressed", "a gzip-compressed hostile pickle")
    add(f"{h}/xz-evil.pkl.xz", lzma.compress(evil(2)), "hostile", "compressed", "an xz-compressed hostile pickle (joblib reads .xz)")
    add(f"{h}/bz2-evil.pkl.bz2", bz2.compress(evil(2)), "hostile", "compressed", "a bzip2-compressed hostile pickle (joblib reads .bz2)")
    # Keras
    shapes = {"dense": [(4, 3), (3,)], "dense_1": [(3, 2), (2,)]}
    add(f"{h}/keras-lambda.keras", keras_bytes(keras_config(lambda_layer=True), shapes), "hostile", "keras-lambda", "a .keras whose Lambda layer holds marshalled bytecode of a Python lambda (what Keras 3 saves for keras.layers.Lambda)")
    config = keras_config()
    config["config"]["layers"][1]["module"] = "os"
    config["config"]["layers"][1]["class_name"] = "getcwd"
    add(f"{h}/keras-foreign-module.keras", keras_bytes(config, shapes), "hostile", "keras-module", "a .keras config naming an object in module os (Keras imports the module to rebuild it)")
    add(f"{h}/keras-lambda.h5", keras_h5(keras_config(lambda_layer=True)), "hostile", "keras-lambda", "a legacy Keras H5 model (model_config attribute, written with h5py) with a Lambda layer")
    # ONNX external data
    add(f"{h}/onnx-external-dotdot", {"model.onnx": onnx_external("../../../../etc/hostname")}, "hostile", "onnx-external-traversal", "external data at ../../../../etc/hostname")
    add(f"{h}/onnx-external-absolute", {"model.onnx": onnx_external("/etc/hostname")}, "hostile", "onnx-external-traversal", "external data at an absolute path")
    add(f"{h}/onnx-external-symlink", {"model.onnx": onnx_external("weights.bin"), "weights.bin": ("symlink", "../../benign/onnx-external-data/weights.bin")}, "hostile", "onnx-external-traversal", "external data through a symlink that leaves the model folder")
    # parser denial of service
    add(f"{h}/safetensors-huge-header.safetensors", struct.pack("<Q", 2**62) + b"{}", "hostile", "parser-dos", "a safetensors header length of 2^62")
    add(f"{h}/gguf-huge-count.gguf", b"GGUF" + struct.pack("<IQQ", 3, 2**40, 2**40), "hostile", "parser-dos", "GGUF tensor and metadata counts of 2^40")


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    benign()
    hostile()
    LABELS.sort(key=lambda entry: entry["path"])
    (HERE / "labels.json").write_text(json.dumps({"generator": "corpus/generate.py", "samples": LABELS}, indent=1) + "\n")
    counts = collections.Counter(entry["label"] for entry in LABELS)
    print(f"wrote {len(LABELS)} samples: {dict(counts)}")


if __name__ == "__main__":
    main()
