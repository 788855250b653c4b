# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings.driver without a GPU: names, classes, enums, structs, argument checks, no-driver errors."""

from __future__ import annotations

import ctypes
import json
import pathlib
import struct
import subprocess
import sys

import pytest
from _toolkit import CUDA_VERSION, MAJOR, REFERENCE, RELEASE, api_file

from cuda.bindings import driver as cu
from cuda.bindings._lib.kernel_params import _packed

MISSING = api_file("driver.python-missing.txt")
KNOWN_GAPS = pathlib.Path(__file__).with_name(f"names-missing-{RELEASE}.txt")  # what the line lacks, and why


def test_reference_functions_exist_or_are_listed_as_missing():
    """Every driver function of the reference is here, or named in the generator's list of what is not yet."""
    names = json.loads(REFERENCE.read_text())["cuda.bindings.driver"]
    functions = [n for n in names if n.startswith("cu") and "." not in n and n[2:3].isupper()]
    listed = MISSING.read_text()
    interop = ("GL", "EGL", "VDPAU", "Egl")  # cudaGL.h, cudaEGL.h, cudaVDPAU.h: not parsed yet
    missing = [n for n in functions if not hasattr(cu, n)]
    gaps = (KNOWN_GAPS.read_text() if KNOWN_GAPS.exists() else "").replace("cuda.bindings.driver:", "")
    unexplained = [n for n in missing if f"\n{n}:" not in "\n" + listed and not any(i in n for i in interop)]
    unexplained = [n for n in unexplained if f"\n{n}\n" not in "\n" + gaps + "\n"]  # the line's listed gaps
    assert unexplained == []
    assert len(functions) - len(missing) >= 400


def test_enums_and_constants():
    assert cu.CUresult.CUDA_SUCCESS == 0 and cu.CUresult(1) is cu.CUresult.CUDA_ERROR_INVALID_VALUE
    assert cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR == 75
    assert cu.CUDA_VERSION == CUDA_VERSION
    assert int(cu.CU_STREAM_LEGACY) == 1 and int(cu.CU_STREAM_PER_THREAD) == 2
    assert type(cu.CU_STREAM_LEGACY) is int  # as NVIDIA's: numba-cuda keys a dict by it
    assert {cu.CU_STREAM_LEGACY: "legacy"}[int(cu.CUstream(cu.CU_STREAM_LEGACY))] == "legacy"
    assert cu.CU_LAUNCH_PARAM_END == 0 and cu.CU_LAUNCH_PARAM_BUFFER_POINTER == 1


def test_value_classes():
    s = cu.CUstream(0x10)
    assert int(s) == 0x10 and s == cu.CUstream(0x10) and s != cu.CUstream(0x11) and hash(s) == hash(0x10)
    alias = cu.CUstream(_ptr=s.getPtr())
    assert int(alias) == 0x10
    d = cu.CUdeviceptr(1 << 40)
    assert int(d) == 1 << 40 and cu.CUdeviceptr is cu.CUdeviceptr_v2
    assert int(cu.CUdevice(3)) == 3
    assert cu.sizeof(cu.CUstream) == 8 and cu.sizeof(cu.CUdevice) == 4
    with pytest.raises(TypeError):
        cu.CUstream("0x10")
    with pytest.raises(OverflowError):
        cu.CUdeviceptr(-1)


def test_structs_fields_nested_and_arrays():
    m = cu.CUDA_MEMCPY2D()
    m.srcXInBytes, m.WidthInBytes, m.Height = 5, 64, 8
    m.srcMemoryType = cu.CUmemorytype.CU_MEMORYTYPE_DEVICE
    m.srcDevice = cu.CUdeviceptr(0x1000)
    assert (m.srcXInBytes, m.WidthInBytes, m.Height) == (5, 64, 8)
    assert m.srcMemoryType is cu.CUmemorytype.CU_MEMORYTYPE_DEVICE and int(m.srcDevice) == 0x1000
    assert cu.sizeof(cu.CUDA_MEMCPY2D) == 128
    raw = ctypes.string_at(m.getPtr(), 16)
    assert struct.unpack_from("<Q", raw)[0] == 5  # srcXInBytes is the first field
    u = cu.CUuuid()
    u.bytes = b"\x01\x02"
    assert u.bytes[:3] == b"\x01\x02\x00" and len(u.bytes) == 16
    cfg = cu.CUlaunchConfig()
    cfg.gridDimX, cfg.blockDimX = 4, 128
    assert (cfg.gridDimX, cfg.blockDimX) == (4, 128)
    with pytest.raises(TypeError):
        m.srcDevice = "x"


def test_kernel_params_packing():
    P, N, F, U, D = ctypes.c_void_p, ctypes.c_int, ctypes.c_float, ctypes.c_uint64, ctypes.c_double
    packed = _packed(((1.5, 0x1234, -7, 2**40, 0.25, cu.CUdeviceptr(0x99)), (F, P, N, U, D, P)))
    assert packed[0] == struct.pack("<f", 1.5)
    assert packed[1] == struct.pack("<Q", 0x1234)
    assert packed[2] == struct.pack("<i", -7)
    assert packed[3] == struct.pack("<Q", 2**40)
    assert packed[4] == struct.pack("<d", 0.25)
    assert packed[5] == struct.pack("<Q", 0x99)  # a CUdeviceptr passed as c_void_p: its value
    d = cu.CUdeviceptr(0x77)
    assert _packed(((d,), (None,)))[0] == struct.pack("<Q", 0x77)  # type None: the object's own storage
    big = _packed((tuple(range(100)), (N,) * 100))
    assert len(big) == 100 and big[99] == struct.pack("<i", 99)
    assert _packed(None) is None


def test_narrow_kernel_arguments_are_zero_extended_in_their_slot():
    """A size_t parameter given as c_uint (NVIDIA's simple_cuda_graphs does it) reads zeros above the
    value: each slot is zeroed whatever the stack held (the hook fills it with 0xff first)."""
    types = (ctypes.c_uint, ctypes.c_ubyte, ctypes.c_int16, ctypes.c_float, ctypes.c_bool)
    packed = _packed(((512, 7, -2, 1.0, True), types), whole_slots=True)
    assert packed[0] == struct.pack("<Q", 512)
    assert packed[1] == struct.pack("<Q", 7)
    assert packed[2] == struct.pack("<hhhh", -2, 0, 0, 0)
    assert packed[3] == struct.pack("<fI", 1.0, 0)
    assert packed[4] == struct.pack("<Q", 1)
    enum_member = cu.CUresult.CUDA_ERROR_INVALID_VALUE  # a C enum: 4 bytes, zero above
    assert _packed(((enum_member,), (None,)), whole_slots=True)[0] == struct.pack("<Q", 1)


def test_kernel_params_in_every_form_nvidia_takes():
    """Values as ctypes instances, bytes/str for c_char/c_wchar, enums and ctypes structs with type
    None, and a ready void* array given as any buffer (a ctypes array, a numpy uint64 array)."""
    import numpy as np

    from cuda.bindings import runtime as rt

    c = ctypes
    packed = _packed(((c.c_int(-3), b"Z", c.c_char(b"Y"), "A", c.c_float(2.5), c.c_bool(True), c.c_void_p(0x55)),
                      (c.c_int, c.c_char, c.c_char, c.c_wchar, c.c_float, c.c_bool, c.c_void_p)))  # fmt: skip
    assert packed[:3] == [struct.pack("<i", -3), b"Z", b"Y"]
    assert packed[3] == "A".encode("utf-32-le")[: c.sizeof(c.c_wchar)]
    assert packed[4:] == [struct.pack("<f", 2.5), b"\x01", struct.pack("<Q", 0x55)]

    class Pair(c.Structure):
        _fields_ = [("a", c.c_int), ("b", c.c_int)]

    packed = _packed(((rt.cudaError_t.cudaErrorUnknown, Pair(7, 9)), (None, None)))
    assert packed[0][:4] == struct.pack("<i", int(rt.cudaError_t.cudaErrorUnknown))  # a C enum: 4 bytes
    assert packed[1] == struct.pack("<ii", 7, 9)[:8]
    packed = _packed(((c.c_float(0.5), rt.dim3(), rt.cudaSurfaceObject_t(248)), (c.c_double, c.c_void_p, c.c_void_p)))
    assert packed[0] == struct.pack("<d", 0.5)  # a ctypes number converts to the declared type
    dim, surface = rt.dim3(), rt.cudaSurfaceObject_t(248)
    packed = _packed(((dim, surface, cu.CUdeviceptr(0x99)), (c.c_void_p, c.c_void_p, c.c_void_p)))
    assert packed == [struct.pack("<Q", dim.getPtr()), struct.pack("<Q", surface.getPtr()), struct.pack("<Q", 0x99)]
    array = (c.c_void_p * 2)(0x10, 0x20)
    assert _packed(array) == c.addressof(array)
    as_numpy = np.array([0x10, 0x20], dtype=np.uint64)
    assert _packed(as_numpy) == as_numpy.ctypes.data


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ("not params", TypeError),
        (((1, 2), (ctypes.c_int,)), ValueError),
        (((1.5,), (ctypes.c_int,)), TypeError),
        ((("x",), (ctypes.c_void_p,)), TypeError),
        (((1,), (int,)), TypeError),
        (((1,), (None,)), TypeError),
        (((-1,), (ctypes.c_uint,)), OverflowError),
    ],
)
def test_kernel_params_bad_input(params, error):
    with pytest.raises(error):
        _packed(params)


def test_bad_arguments_before_any_driver_call():
    with pytest.raises(TypeError):
        cu.cuDeviceGetAttribute("attr", 0)
    with pytest.raises(TypeError):
        cu.cuDeviceGetAttribute(cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_WARP_SIZE, "dev")
    with pytest.raises(TypeError):
        cu.cuStreamQuery(1.5)
    with pytest.raises(OverflowError):
        cu.cuMemAlloc(-1)
    with pytest.raises(TypeError):
        cu.cuMemcpy2D("copy")
    with pytest.raises(TypeError):
        cu.cuLaunchKernel(0, 1, 1, 1, 1, 1, 1, 0, 0, "params", None)


def test_without_a_driver_calls_raise_a_clear_error():
    code = (
        "from cuda.bindings import driver\n"
        "try:\n    driver.cuInit(0)\nexcept RuntimeError as e:\n    print('RAISED', type(e).__name__, e)\n"
        "else:\n    print('DRIVER PRESENT')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    if out.startswith("DRIVER PRESENT"):
        pytest.skip("this machine has an NVIDIA driver")
    assert "DynamicLibNotFoundError" in out and "NVIDIA display driver" in out and "libcuda.so.1" in out


def test_proc_address_versions_match_the_declarations():
    """cuGetProcAddress must be asked for the ABI whose parameters we call with."""
    model = json.loads((MISSING.parent / "driver.json").read_text())
    proc = {f["name"]: f["proc"] for f in model["functions"]}
    assert proc["cuCtxGetDevice"] == ["cuCtxGetDevice", 2000, 0]  # one parameter
    if MAJOR >= 13:  # cuCtxGetDevice_v2 came with CUDA 13.0
        assert proc["cuCtxGetDevice_v2"] == ["cuCtxGetDevice", 13000, 0]  # two: same base name, newer version
    assert proc["cuMemAlloc"] == ["cuMemAlloc", 3020, 0]  # the 64-bit size ABI (cuMemAlloc_v2)
    assert proc["cuGraphInstantiate"] == ["cuGraphInstantiateWithFlags", 11040, 0]
    assert proc["cuStreamQuery"] == ["cuStreamQuery", 2000, 7000]  # _ptsz since CUDA 7.0
    assert proc["cuMemcpyHtoD"] == ["cuMemcpyHtoD", 3020, 7000]  # _ptds
    assert all(version >= 2000 for _, version, _ in proc.values())


def test_parameters_named_like_builtins_take_nvidias_names():
    """A C parameter called type, len, format, bytes or input is typename, length, pformat,
    numbytes or input_ in Python, as in NVIDIA's bindings (keyword callers match theirs)."""
    assert cu.cuDeviceGetName.__doc__.startswith("cuDeviceGetName(length, dev)")
    assert cu.cuFuncSetSharedSize.__doc__.startswith("cuFuncSetSharedSize(hfunc, numbytes)")
    assert cu.cuDeviceGetTexture1DLinearMaxWidth.__doc__.startswith("cuDeviceGetTexture1DLinearMaxWidth(pformat,")
    with pytest.raises(TypeError):
        cu.cuDeviceGetExecAffinitySupport(type=0, dev=0)  # the C name is not a keyword any more
    dev = cu.CUdevice(0)
    kind = cu.CUexecAffinityType.CU_EXEC_AFFINITY_TYPE_SM_COUNT
    for call in (lambda: cu.cuDeviceGetExecAffinitySupport(kind, dev),
                 lambda: cu.cuDeviceGetExecAffinitySupport(typename=kind, dev=dev)):  # fmt: skip
        try:
            result = call()
        except RuntimeError as e:  # no driver here: the call got as far as loading it
            assert "libcuda" in str(e)
        else:
            assert isinstance(result[0], cu.CUresult)


def test_array_arguments_are_checked_before_the_call():
    nodes = [cu.CUgraphNode(1), cu.CUgraphNode(2)]
    with pytest.raises(ValueError, match="dependencies has 2 entries, fewer than numDependencies"):
        cu.cuGraphAddEmptyNode(cu.CUgraph(1), nodes, 3)
    with pytest.raises(TypeError):
        cu.cuGraphAddEmptyNode(cu.CUgraph(1), ["node"], 1)
    with pytest.raises(TypeError):
        cu.cuGraphAddDependencies(cu.CUgraph(1), nodes, nodes, [object()], 1)


def test_output_arrays_are_left_out_not_misbound():
    listed = MISSING.read_text()
    names = [line.split(":")[0] for line in listed.splitlines() if ": output array" in line]
    for name in names:
        assert not hasattr(cu, name) and f"{name}: output array" in listed


def test_counted_output_arrays_take_the_count():
    """cuGraphGetNodes(hGraph, numNodes=0) -> (err, nodes, numNodes), as the reference has it."""
    stubs = (MISSING.parents[2] / "cuda" / "bindings" / "driver.pyi").read_text()
    for name, count in [("cuGraphGetNodes", "numNodes"), ("cuGraphGetRootNodes", "numRootNodes"),
                        ("cuGraphGetEdges", "numEdges"), ("cuGraphNodeGetDependencies", "numDependencies"),
                        ("cuGraphNodeGetDependentNodes", "numDependentNodes")]:  # fmt: skip
        assert f", {count}: int = 0) -> tuple[CUresult, list[" in stubs.split(f"def {name}(")[1].splitlines()[0]
        with pytest.raises(TypeError):  # checked before any driver call, by keyword
            getattr(cu, name)(1, **{count: "3"})


def test_struct_array_fields_are_lists():
    import gc

    attrs = []
    for i, attr_id in enumerate([cu.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_COOPERATIVE,
                                 cu.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PRIORITY]):  # fmt: skip
        a = cu.CUlaunchAttribute()
        a.id = attr_id
        a.value.priority = 10 + i
        attrs.append(a)
    config = cu.CUlaunchConfig()
    assert config.attrs == [] and config.numAttrs == 0
    config.attrs = attrs
    assert config.numAttrs == 2
    del attrs, a
    gc.collect()
    got = config.attrs  # views into the array the config owns
    assert [x.id for x in got] == [cu.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_COOPERATIVE,
                                   cu.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PRIORITY]  # fmt: skip
    assert [x.value.priority for x in got] == [10, 11]
    got[1].value.priority = 99  # writes through to the C array
    assert config.attrs[1].value.priority == 99
    assert got[0].getPtr() + cu.sizeof(cu.CUlaunchAttribute) == got[1].getPtr()
    config.numAttrs = 1  # the count is the C field's: shorter views
    assert len(config.attrs) == 1
    config.attrs = []
    assert config.numAttrs == 0 and config.attrs == []
    with pytest.raises(TypeError):
        config.attrs = [cu.CUlaunchConfig()]
    with pytest.raises(TypeError):
        config.attrs = 5

    # handles and structs sharing one count; set through a view into a union, copied with the struct
    params = cu.CUgraphNodeParams()
    sems = [cu.CUexternalSemaphore(0x1000 + i) for i in range(3)]
    sig = [cu.CUDA_EXTERNAL_SEMAPHORE_SIGNAL_PARAMS() for _ in range(3)]
    for i, p in enumerate(sig):
        p.params.fence.value = 1000 + i
    params.extSemSignal.extSemArray = sems
    params.extSemSignal.paramsArray = sig
    del sems, sig, p
    gc.collect()
    assert params.extSemSignal.numExtSems == 3
    assert [int(x) for x in params.extSemSignal.extSemArray] == [0x1000, 0x1001, 0x1002]
    assert [p.params.fence.value for p in params.extSemSignal.paramsArray] == [1000, 1001, 1002]
    copy_src = params.extSemSignal  # a view: keeps params alive
    del params
    gc.collect()
    holder = cu.CUgraphNodeParams()
    holder.extSemSignal = copy_src  # the copy keeps the arrays too
    del copy_src
    gc.collect()
    assert [p.params.fence.value for p in holder.extSemSignal.paramsArray] == [1000, 1001, 1002]
    holder.extSemSignal = holder.extSemSignal  # onto itself: still kept
    gc.collect()
    assert [p.params.fence.value for p in holder.extSemSignal.paramsArray] == [1000, 1001, 1002]

    batch = cu.CUDA_BATCH_MEM_OP_NODE_PARAMS()
    ops = [cu.CUstreamBatchMemOpParams() for _ in range(2)]
    ops[0].operation = cu.CUstreamBatchMemOpType.CU_STREAM_MEM_OP_WAIT_VALUE_32
    ops[1].operation = cu.CUstreamBatchMemOpType.CU_STREAM_MEM_OP_WRITE_VALUE_32
    batch.paramArray = ops
    assert batch.count == 2 and [o.operation for o in batch.paramArray] == [
        cu.CUstreamBatchMemOpType.CU_STREAM_MEM_OP_WAIT_VALUE_32,
        cu.CUstreamBatchMemOpType.CU_STREAM_MEM_OP_WRITE_VALUE_32,
    ]


def test_graphics_interop_functions_and_types():
    """GL and VDPAU interop: the types are value classes of the C widths, bad input fails before any call."""
    for cls, size in [(cu.GLuint, 4), (cu.GLenum, 4), (cu.VdpDevice, 4), (cu.VdpVideoSurface, 4),
                      (cu.VdpOutputSurface, 4), (cu.VdpGetProcAddress, 8)]:  # fmt: skip
        assert cu.sizeof(cls) == size and int(cls(7)) == 7
    assert cu.CUGLDeviceList.CU_GL_DEVICE_LIST_ALL == 1 and cu.CUGLmap_flags.CU_GL_MAP_RESOURCE_FLAGS_NONE == 0
    for cls in (cu.EGLImageKHR, cu.EGLStreamKHR, cu.EGLSyncKHR, cu.CUeglStreamConnection):
        assert cu.sizeof(cls) == 8 and int(cls(0x1234)) == 0x1234
    assert cu.sizeof(cu.EGLint) == 4 and cu.sizeof(cu.CUeglFrame) == 64  # the layout of cudaEGL.h
    frame = cu.CUeglFrame()
    frame.eglColorFormat = cu.CUeglColorFormat.CU_EGL_COLOR_FORMAT_RGBA
    frame.cuFormat = cu.CUarray_format.CU_AD_FORMAT_UNSIGNED_INT8
    assert frame.eglColorFormat == cu.CUeglColorFormat.CU_EGL_COLOR_FORMAT_RGBA
    with pytest.raises(TypeError):
        cu.cuGraphicsEGLRegisterImage(1.5, 0)
    with pytest.raises(TypeError):
        cu.cuEGLStreamConsumerDisconnect("conn")
    for call in [lambda: cu.cuGraphicsGLRegisterBuffer(1.5, 0), lambda: cu.cuGraphicsGLRegisterImage(1, "x", 0),
                 lambda: cu.cuGLGetDevices(None, 1), lambda: cu.cuVDPAUGetDevice(object(), 0),
                 lambda: cu.cuVDPAUCtxCreate(0, 0, 1, 2.5),
                 lambda: cu.cuGraphicsVDPAURegisterVideoSurface([], 0)]:  # fmt: skip
        with pytest.raises(TypeError):
            call()


def test_fixed_arrays_of_handles_and_pointers_round_trip():
    """CUeglFrame's plane arrays: handles as CUarray objects, pointers as addresses."""
    frame = cu.CUeglFrame()
    frame.frame.pArray = [cu.CUarray(0x1000), 0x2000, cu.CUarray(0)]
    assert [int(a) for a in frame.frame.pArray] == [0x1000, 0x2000, 0]
    assert all(isinstance(a, cu.CUarray) for a in frame.frame.pArray)
    frame.frame.pPitch = [16, 32, 48]
    assert frame.frame.pPitch == [16, 32, 48]
    with pytest.raises(ValueError):
        frame.frame.pPitch = [1, 2]
    with pytest.raises(TypeError):
        frame.frame.pArray = [1.5, 0, 0]


def test_struct_repr_lists_fields_as_nvidia_does():
    """'name : value' per field, nested structs indented under their name, void* in hex."""
    text = repr(cu.CUDA_KERNEL_NODE_PARAMS_st())
    assert text.splitlines()[:2] == ["func : <CUfunction 0x0>", "gridDimX : 0"]
    assert text.splitlines()[-2:] == ["kernelParams : 0", "extra : 0"]
    lines = repr(cu.CUDA_EXTERNAL_SEMAPHORE_SIGNAL_PARAMS()).splitlines()
    assert lines[:4] == ["params :", "    fence :", "        value : 0", "    nvSciSync :"]
    assert "        fence : 0x0" in lines and lines[-2] == "flags : 0"
    assert lines[-1] == "reserved : [" + ", ".join(["0"] * 16) + "]"
    m = cu.CUDA_MEMCPY2D()
    m.srcHost = 0x1000
    assert "srcHost : 0x1000" in repr(m).splitlines()


def test_integer_types_show_their_value_and_check_their_range():
    assert (repr(cu.CUdevice(0)), repr(cu.CUdevice(-2))) == ("<CUdevice 0>", "<CUdevice -2>")
    assert repr(cu.CUdeviceptr(2**64 - 1)) == f"<CUdeviceptr {2**64 - 1}>"
    assert repr(cu.cuuint32_t(2**32 - 1)) == f"<cuuint32_t {2**32 - 1}>" and repr(cu.CUstream(5)) == "<CUstream 0x5>"
    for bad in (2**32, -1):
        with pytest.raises(OverflowError):
            cu.cuuint32_t(bad)


def test_kernel_params_field_takes_what_cu_launch_kernel_takes():
    """CUDA_KERNEL_NODE_PARAMS.kernelParams = (values, types), as NVIDIA's simple_cuda_graphs does:
    packed into memory the struct keeps alive."""
    import gc

    from cuda.bindings import runtime as rt

    for params in (cu.CUDA_KERNEL_NODE_PARAMS(), rt.cudaKernelNodeParams()):
        params.kernelParams = ((7, 2.5, cu.CUdeviceptr(0x99)), (ctypes.c_int, ctypes.c_float, None))
        gc.collect()
        slots = (ctypes.c_void_p * 3).from_address(params.kernelParams)
        assert ctypes.c_int.from_address(slots[0]).value == 7
        assert ctypes.c_float.from_address(slots[1]).value == 2.5
        assert ctypes.c_uint64.from_address(slots[2]).value == 0x99
        params.kernelParams = 0
        assert params.kernelParams == 0


def test_void_pointer_fields_take_buffers_and_keep_them():
    """A struct's void* field set from a numpy array (NVIDIA's test_cuda does) points at its data,
    and the struct keeps the array alive; ints and None stay addresses."""
    import gc
    import weakref

    import numpy as np

    m = cu.CUDA_MEMCPY2D()
    data = np.arange(8, dtype=np.int32)
    address, alive = data.ctypes.data, weakref.ref(data)
    m.srcHost = data
    del data
    gc.collect()
    assert m.srcHost == address and alive() is not None
    m.dstHost = 0x1000
    assert m.dstHost == 0x1000
    with pytest.raises(TypeError):
        m.srcHost = "not a buffer"


def test_enum_str_is_its_repr_and_format_spec_gives_the_number():
    """f"{err}" reads the member's name, as on NVIDIA's bindings (pytest ids of enum params too)."""
    err = cu.CUresult.CUDA_ERROR_INVALID_VALUE
    assert str(err) == repr(err) == "<CUresult.CUDA_ERROR_INVALID_VALUE: 1>"
    assert f"{err}" == str(err) and "{}".format(err) == str(err)  # noqa: UP032
    assert f"{err:d}" == "1" and f"{err:>3}" == "  1" and int(err) == 1
    from cuda.bindings import nvrtc

    assert str(nvrtc.nvrtcResult.NVRTC_SUCCESS) == "<nvrtcResult.NVRTC_SUCCESS: 0>"


def test_char_array_fields_take_bytes_or_a_list_of_numbers():
    handle = cu.CUipcMemHandle_st()
    handle.reserved = [-1] * 64  # a signed char: -1 is the byte 255
    assert handle.reserved[0] == 255 and len(handle.reserved) == 64
    handle.reserved = list(range(64))
    assert handle.reserved[:3] == b"\x00\x01\x02"
    handle.reserved = b"\x07"  # bytes fill the start, the rest is zeroed
    assert handle.reserved[:2] == b"\x07\x00"
    with pytest.raises(ValueError, match="takes 64 values"):
        handle.reserved = [0] * 63
    with pytest.raises(OverflowError):
        handle.reserved = [256] * 64
    with pytest.raises(TypeError, match="integers"):
        handle.reserved = ["a"] * 64


def test_conditional_node_body_graphs_are_a_list_of_size_handles():
    """phGraph_out is filled by the driver: before that it reads as `size` null graphs."""
    params = cu.CUgraphNodeParams()
    params.conditional.size = 2
    graphs = params.conditional.phGraph_out
    assert len(graphs) == 2 and all(isinstance(g, cu.CUgraph) and int(g) == 0 for g in graphs)


def test_sm_resource_split_takes_the_group_count_first():
    """cuDevSmResourceSplitByCount(nbGroups, input_, useFlags, minCount) -> (err, groups, nbGroups, remaining)."""
    assert cu.cuDevSmResourceSplitByCount.__doc__.startswith("cuDevSmResourceSplitByCount(nbGroups, input_, flags,")
    with pytest.raises(TypeError):
        cu.cuDevSmResourceSplitByCount(cu.CUdevResource(), 0, 2)


def test_coredump_set_takes_the_value_its_attribute_has():
    """cuCoredumpSetAttribute(Global)(attrib, value) -> (err,): the value is checked before the call."""
    S = cu.CUcoredumpSettings
    with pytest.raises(TypeError, match="bytes or str"):
        cu.cuCoredumpSetAttributeGlobal(S.CU_COREDUMP_FILE, 3)
    with pytest.raises(ValueError, match="1023"):
        cu.cuCoredumpSetAttributeGlobal(S.CU_COREDUMP_PIPE, b"x" * 1024)
    with pytest.raises(TypeError, match="bool"):
        cu.cuCoredumpSetAttribute(S.CU_COREDUMP_TRIGGER_HOST, "yes")


def test_log_dumps_and_border_color_take_what_nvidia_takes():
    """cuLogsDumpToFile(iterator, path, flags) -> (err, iterator); ...ToMemory(iterator, buffer, size, flags)
    -> (err, iterator, size); cuTexRefSetBorderColor(texref, rgba). Bad input raises before any call."""
    for fn, first in ((cu.cuLogsDumpToFile, "iterator"), (cu.cuLogsDumpToMemory, "iterator"),
                      (cu.cuTexRefSetBorderColor, "hTexRef")):  # fmt: skip
        assert fn.__doc__.startswith(f"{fn.__name__}({first}")
    with pytest.raises(ValueError, match="fewer than size"):
        cu.cuLogsDumpToMemory(None, bytearray(8), 64, 0)  # the call would write past the buffer
    with pytest.raises(ValueError, match="at most 4"):
        cu.cuTexRefSetBorderColor(cu.CUtexref(0), [1.0] * 5)
    with pytest.raises(TypeError):
        cu.cuTexRefSetBorderColor(cu.CUtexref(0), "red")


def test_nvfatbin_destroy_names_its_argument_handle():
    from cuda.bindings import nvfatbin

    assert nvfatbin.destroy.__doc__.startswith("destroy(handle)")
