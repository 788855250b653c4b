# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings.cudla (the DLA of Tegra SoCs): it imports and its structs work everywhere; its
calls raise the not-found error where there is no libcudla (every machine but a Jetson).

The module is built without cudla.h (cycudla.pxd declares every type from the model), so the
layouts are checked against a C program compiled with the real header of the pinned wheel.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import subprocess
import sys

import pytest
from _toolkit import RELEASE, api_file

if importlib.util.find_spec("cuda.bindings.cudla") is None:
    pytest.skip(f"the {RELEASE} line has no cuDLA (its wheels start at CUDA 13.2)", allow_module_level=True)

from cuda.bindings import cudla
from cuda.pathfinder import DynamicLibNotFoundError

MODEL = json.loads(api_file("cudla.json").read_text())
CLASSES = [cudla.Fence, cudla.ExternalMemoryHandleDesc, cudla.ExternalSemaphoreHandleDesc]
CLASSES += [cudla.ModuleTensorDescriptor, cudla.ModuleAttribute, cudla.WaitEvents, cudla.SignalEvents]
CLASSES += [cudla.Task, cudla.DevAttribute]


def _has_libcudla() -> bool:
    try:
        cudla.get_version()
    except DynamicLibNotFoundError:
        return False
    return True


def test_import_does_not_load_numpy():
    code = "import sys, cuda.bindings.cudla; print('numpy' in sys.modules)"
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "False"


def test_enums_in_nvidia_spelling():
    assert cudla.Status.Success == 0 and cudla.Status.ErrorDriverNotFound == 15
    assert cudla.Status.ErrorUnknown == 0x7FFFFFFF
    assert cudla.Mode.STANDALONE == 1 and cudla.FenceType.NVSCISYNC_FENCE_SOF == 2
    assert cudla.ModuleLoadFlags.MODULE_ENABLE_FAULT_DIAGNOSTICS == 1
    assert cudla.SubmissionFlags.SUBMIT_DIAGNOSTICS_TASK == 4
    assert cudla.ScratchMemoryConfig.SCRATCH_MEMORY_SHARED_STATIC == 2


def test_error_and_check_status():
    err = cudla.CudlaError(cudla.Status.ErrorInvalidParam)
    assert str(err) == "ErrorInvalidParam (1)" and err.status == 1
    cudla.check_status(0)
    with pytest.raises(cudla.CudlaError, match=r"ErrorOs \(5\)"):
        cudla.check_status(5)
    with pytest.raises(TypeError):
        cudla.check_status("5")


@pytest.mark.skipif(_has_libcudla(), reason="a libcudla is present here (a Jetson): the not-found path is moot")
def test_calls_without_libcudla_raise_not_found():
    with pytest.raises(DynamicLibNotFoundError, match="cudla"):
        cudla.get_version()
    with pytest.raises(DynamicLibNotFoundError):
        cudla.module_get_attributes(0, cudla.ModuleAttributeType.NUM_INPUT_TENSORS)


def test_bad_input_raises_before_any_call():
    with pytest.raises(TypeError):
        cudla.create_device("0", 0)
    with pytest.raises(TypeError):
        cudla.submit_task(0, "tasks", 1, 0, 0)
    with pytest.raises(ValueError, match="ModuleAttributeType"):
        cudla.module_get_attributes(0, 99)


def test_structs_fields():
    desc = cudla.ModuleTensorDescriptor()
    assert desc.name == bytes(81) and len(desc.stride) == 8 and desc.size_ == 0
    desc.name = b"input0"
    desc.stride[2] = 64
    assert desc.name.rstrip(b"\0") == b"input0" and int(desc.stride[2]) == 64
    attr = cudla.DevAttribute()  # a union: the members share their bytes
    attr.device_version = 0x0102
    assert attr.unified_addressing_supported == 0x02


def test_counted_arrays_set_their_count_and_stay_alive():
    fences = cudla.Fence(2)
    fences[0].fence, fences[1].fence = 0x10, 0x20
    wait = cudla.WaitEvents()
    wait.pre_fences = fences
    assert [f.fence for f in wait.pre_fences] == [0x10, 0x20]
    assert int(wait._data["num_events"][0]) == 2 and int(wait._data["pre_fences"][0]) == fences.ptr

    one = cudla.Fence()
    one.fence = 0x30
    signal = cudla.SignalEvents()
    signal.eof_fences = [one]  # a list of structs is copied into one array
    signal.dev_ptrs = [0x1000]
    assert [f.fence for f in signal.eof_fences] == [0x30] and list(signal.dev_ptrs) == [0x1000]
    assert cudla.SignalEvents().eof_fences == []

    task = cudla.Task()
    task.input_tensor = [0x1000, 0x2000, 0x3000]
    task.output_tensor = []
    assert len(task.input_tensor) == 3 and task.output_tensor == []
    before = sys.getrefcount(wait)
    task.wait_events = wait  # a pointer to a struct: its address, and the struct kept alive
    assert task.wait_events == wait.ptr and sys.getrefcount(wait) > before
    task.signal_events = 0
    assert task.signal_events == 0
    pointer_array = ctypes.cast(task._data["input_tensor"][0].item(), ctypes.POINTER(ctypes.c_uint64))
    assert pointer_array[1] == 0x2000


@pytest.fixture(scope="module")
def c_layout(tmp_path_factory):
    import shutil

    from cuda.pathfinder import find_nvidia_header_directory

    cc, include = shutil.which("cc") or shutil.which("gcc"), find_nvidia_header_directory("cudla")
    if cc is None or include is None:
        pytest.skip("needs a C compiler and cudla.h (ci/install.py unpacks it from the pinned nvidia-cudla)")
    lines = ["#include <stdio.h>", "#include <stddef.h>", "#include <cudla.h>", "int main(void) {"]
    for cls in CLASSES:
        lines.append(f'printf("{cls._c_name} %zu\\n", sizeof({cls._c_name}));')
        for name in C_FIELDS[cls._c_name]:
            lines.append(f'printf("{cls._c_name}.{name} %zu\\n", offsetof({cls._c_name}, {name}));')
    lines += ["return 0;", "}"]
    src = tmp_path_factory.mktemp("cudla_layout") / "layout.c"
    src.write_text("\n".join(lines))
    exe = src.with_suffix("")
    subprocess.run([cc, f"-I{include}", "-o", str(exe), str(src)], check=True)
    return dict(line.rsplit(" ", 1) for line in subprocess.check_output([str(exe)], text=True).splitlines())


_RECORDS = {r["name"]: r for r in MODEL["records"]}
_TYPEDEFS = {t["name"]: t["type"].split()[-1] for t in MODEL["typedefs"] if t["kind"] == "record"}
C_FIELDS = {c._c_name: [f["name"] for f in _RECORDS[_TYPEDEFS.get(c._c_name, c._c_name)]["fields"]] for c in CLASSES}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_layout_matches_the_header(cls, c_layout):
    dtype = cls.dtype()
    assert dtype.itemsize == int(c_layout[cls._c_name])
    for c_name, py_name in zip(C_FIELDS[cls._c_name], dtype.names):
        assert dtype.fields[py_name][1] == int(c_layout[f"{cls._c_name}.{c_name}"]), py_name
