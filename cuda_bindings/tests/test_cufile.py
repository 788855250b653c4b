# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings.cufile (GPUDirect Storage), on the CPU: the library of the pinned nvidia-cufile
wheel loads without a GPU; calls that need the nvidia-fs driver or a GPU fail with cuFileError.

Struct layouts are checked against a C program compiled with the real cufile.h.
"""

from __future__ import annotations

import ctypes
import json
import pickle
import subprocess
import sys

import pytest
from _toolkit import MAJOR, api_file

from conftest import c_compiler_and_headers
from cuda.bindings import cufile, cycufile  # noqa: F401  (cycufile: the C level is importable too)

# What only the 13.x line's cufile.h has: ArrayConfigParameter, the min/max queries,
# the statistics structs (StatsLevel1-3, OpCounter, PerGpuStats).
needs_13 = pytest.mark.skipif(MAJOR < 13, reason="the 12.9 line's cuFile 1.14 has no such API")


def test_import_does_not_load_numpy():
    code = "import sys, cuda.bindings.cufile; print('numpy' in sys.modules)"
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "False"


def test_version_from_the_wheel_library():
    version = cufile.get_version()
    # cuFile 1.15 came with CUDA 13.0 (1.20 with 13.5); the 12.9 line's wheel is 1.14
    assert isinstance(version, int) and version >= (1150 if MAJOR >= 13 else 1140)


@needs_13
def test_enums_in_nvidia_spelling():
    assert cufile.OpError.SUCCESS == 0 and cufile.OpError.DRIVER_NOT_INITIALIZED == 5001
    assert cufile.FileHandleType.OPAQUE_FD == 1 and cufile.Opcode.WRITE == 1
    assert cufile.Status.COMPLETE == 16 and cufile.BatchMode.BATCH == 1
    assert list(cufile.ArrayConfigParameter.__members__)[:2] == ["POSIX_POOL_SLAB_SIZE_KB", "POSIX_POOL_SLAB_COUNT"]
    assert "POLLTHRESHOLD_SIZE_KB" in cufile.SizeTConfigParameter.__members__
    assert str(cufile.OpError.SUCCESS) == "<OpError.SUCCESS: 0>"


def test_error_names_both_codes_and_pickles():
    err = cufile.cuFileError(cufile.OpError.CUDA_DRIVER_ERROR, 201)
    assert str(err) == "CUDA_DRIVER_ERROR (5011): CUDA Driver API error; CUDA status: CUDA_ERROR_INVALID_CONTEXT (201)"
    assert (err.status, err.cuda_error) == (5011, 201)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is cufile.cuFileError and str(again) == str(err)
    assert str(cufile.cuFileError(5001)).startswith("DRIVER_NOT_INITIALIZED (5001): nvidia-fs driver is not loaded")
    assert str(cufile.cuFileError(5)) == "errno 5: Input/output error"  # an OS error of cuFileRead/Write


def test_op_status_error_is_the_headers_text():
    assert cufile.op_status_error(cufile.OpError.SUCCESS) == "cufile success"
    assert cufile.op_status_error(cufile.OpError.INVALID_VALUE) == "invalid arguments"
    with pytest.raises(TypeError):
        cufile.op_status_error("SUCCESS")


@needs_13
def test_parameters_round_trip_without_a_gpu():
    param = cufile.SizeTConfigParameter.POLLTHRESHOLD_SIZE_KB
    low, high = cufile.get_parameter_min_max_value(param)
    assert 0 <= low <= high
    old = cufile.get_parameter_size_t(param)
    try:
        cufile.set_parameter_size_t(param, 8)
        assert cufile.get_parameter_size_t(param) == 8
    finally:
        cufile.set_parameter_size_t(param, max(old, low))
    assert isinstance(cufile.get_parameter_bool(cufile.BoolConfigParameter.PROPERTIES_USE_POLL_MODE), bool)
    assert isinstance(cufile.get_parameter_string(cufile.StringConfigParameter.LOGGING_LEVEL, 64), str)


_DRIVER_OPEN = """
from cuda.bindings import cufile
try:
    cufile.driver_open()
except cufile.cuFileError as e:
    assert e.status != 0 and cufile.OpError(e.status).name in str(e), str(e)
    assert cufile.use_count() == 0
    print("ERROR", e.status)
else:
    try:
        assert cufile.use_count() >= 1
    finally:
        cufile.driver_close()
    print("OPEN")
"""


def test_driver_open_works_or_says_why():
    # Without a GPU (CI) it fails; on a GPU machine without nvidia-fs cuFile may open in
    # compatibility mode. Either way: a working driver, or a cuFileError naming its status. In a
    # process of its own: cuFile 1.20's cuFileDriverOpen, without a GPU, can walk /sys without end.
    import subprocess
    import sys

    try:
        run = subprocess.run([sys.executable, "-c", _DRIVER_OPEN], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.skip("cuFileDriverOpen of the installed libcufile did not return within 30 s on this machine")
    last = run.stdout.strip().splitlines()[-1].split() if run.stdout.strip() else [""]  # 1.14 also prints its log
    assert run.returncode == 0 and last[0] in ("ERROR", "OPEN"), run.stdout + run.stderr


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: cufile.buf_register("0x10", 16, 0), TypeError),  # an address is an int
        (lambda: cufile.buf_register(0, -1, 0), OverflowError),  # a size_t
        (lambda: cufile.set_parameter_size_t("POLL", 1), TypeError),
        (lambda: cufile.read(0, 0, 1, 0.5j, 0), TypeError),
        (lambda: cufile.get_parameter_string(cufile.StringConfigParameter.LOG_DIR, None), TypeError),
        (lambda: cufile.IOParams(0), ValueError),
        (lambda: cufile.Descr.from_ptr(0), ValueError),
        (lambda: cufile.Descr.from_data(bytearray(24)), TypeError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_records_are_zeroed_nested_views():
    descr = cufile.Descr()
    assert len(descr) == 1 and descr.type == 0 and descr.handle.fd == 0 and descr.ptr == int(descr)
    descr.type = cufile.FileHandleType.OPAQUE_FD
    descr.handle.fd = 7  # a union member, written through the nested view
    raw = ctypes.string_at(descr.ptr, 24)
    assert int.from_bytes(raw[0:4], "little") == 1 and int.from_bytes(raw[8:12], "little") == 7

    params = cufile.IOParams(3)
    params[2].u.batch.size_ = 4096
    params[2].cookie = 9
    params[-1].opcode = cufile.Opcode.WRITE
    assert list(params.cookie) == [0, 0, 9] and params[2].u.batch.size_ == 4096 and params[2].opcode == 1
    with pytest.raises(IndexError):
        params[3]
    with pytest.raises(TypeError):
        int(params)  # several structs have no single address


@needs_13
def test_record_arrays_fields_and_from_data():
    stats = cufile.StatsLevel3()
    assert len(stats.per_gpu_stats) == 16 and stats.per_gpu_stats[3].uuid == bytes(16)
    stats.per_gpu_stats[3].uuid = b"\x01\x02"
    assert stats.per_gpu_stats[3].uuid == b"\x01\x02" + bytes(14)
    with pytest.raises(ValueError):
        stats.per_gpu_stats[3].uuid = bytes(17)
    level2 = cufile.StatsLevel2()
    level2.read_size_kb_hist[5] = 3  # an array field is a view of the struct
    assert int(level2.read_size_kb_hist.sum()) == 3
    level1 = cufile.StatsLevel1.from_data(level2.basic)
    level1.read_ops.ok = 11
    assert cufile.OpCounter.from_data(level2.basic.read_ops).ok == 11
    counters = cufile.OpCounter(2)
    assert cufile.OpCounter.from_data(counters._data[1:]).ptr == counters.ptr + 16
    with pytest.raises(ValueError):
        cufile.OpCounter.from_data(cufile.IOEvents()._data)  # another struct's dtype


@needs_13
def test_from_ptr_views_memory_it_is_given():
    backing = (ctypes.c_uint64 * 4)(5, 6, 7, 8)
    counters = cufile.OpCounter.from_ptr(ctypes.addressof(backing), 2, owner=backing)
    assert [counters[1].ok, counters[1].err] == [7, 8]
    counters[0].err = 60
    assert backing[1] == 60
    frozen = cufile.OpCounter.from_ptr(ctypes.addressof(backing), readonly=True)
    with pytest.raises(ValueError):
        frozen.ok = 1


@needs_13
def test_dtype_attributes():
    assert cufile.descr_dtype.itemsize == 24 and cufile.io_params_dtype.itemsize == 64
    assert cufile.stats_level3_dtype is cufile.StatsLevel3.dtype()
    assert cufile.io_params_dtype.names == ("mode", "u", "fh", "opcode", "cookie")
    with pytest.raises(AttributeError):
        cufile.no_such_dtype  # noqa: B018


@pytest.fixture(scope="module")
def c_layout(tmp_path_factory):
    from cuda.pathfinder import find_nvidia_header_directory

    cc, include = c_compiler_and_headers("cuda.h")
    cufile_include = find_nvidia_header_directory("cufile")
    lines = ["#include <stdio.h>", "#include <stddef.h>", "#include <cufile.h>", "int main(void) {"]
    for cls in CLASSES:
        ctype = cls._c_name
        lines.append(f'printf("{ctype} %zu\\n", sizeof({ctype}));')
        for name in C_FIELDS[ctype]:
            lines.append(f'printf("{ctype}.{name} %zu\\n", offsetof({ctype}, {name}));')
    lines += ["return 0;", "}"]
    src = tmp_path_factory.mktemp("cufile_layout") / "layout.c"
    src.write_text("\n".join(lines))
    exe = src.with_suffix("")
    subprocess.run([cc, f"-I{include}", f"-I{cufile_include}", "-o", str(exe), str(src)], check=True)
    return dict(line.rsplit(" ", 1) for line in subprocess.check_output([str(exe)], text=True).splitlines())


CLASSES = [cufile.Descr, cufile.IOParams, cufile.IOEvents]
if MAJOR >= 13:  # the statistics structs: the 13.x line's cufile.h has them, the 12.9 line's (1.14) not
    CLASSES += [cufile.OpCounter, cufile.PerGpuStats, cufile.StatsLevel1, cufile.StatsLevel2, cufile.StatsLevel3]
MODEL = json.loads(api_file("cufile.json").read_text())
_RECORDS = {r["name"]: r for r in MODEL["records"]}
_TYPEDEFS = {t["name"]: t["type"].split()[-1] for t in MODEL["typedefs"] if t["kind"] == "record"}
# each struct's fields in C spelling, in order (the Python names are snake_case)
C_FIELDS = {cls._c_name: [f["name"] for f in _RECORDS[_TYPEDEFS[cls._c_name]]["fields"]] for cls in CLASSES}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_layout_matches_the_c_compiler(cls, c_layout):
    dtype = cls.dtype()
    assert dtype.itemsize == int(c_layout[cls._c_name])
    for c_name, py_name in zip(C_FIELDS.get(cls._c_name, ()), dtype.names):
        assert dtype.fields[py_name][1] == int(c_layout[f"{cls._c_name}.{c_name}"]), py_name
