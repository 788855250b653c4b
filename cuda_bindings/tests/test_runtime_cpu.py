# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings.runtime without a GPU: the reference's conventions, and cudart's own no-driver answers."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest
from _toolkit import MAJOR, REFERENCE, api_file, library_release

from cuda.bindings import runtime as rt

HERE = pathlib.Path(__file__).resolve().parents[1]
MISSING = api_file("runtime.python-missing.txt")


def has_driver() -> bool:
    return rt.cudaGetDeviceCount()[0] != rt.cudaError_t.cudaErrorInsufficientDriver


def test_versions_and_error_strings():
    major, minor = library_release("cudart")
    assert rt.cudaRuntimeGetVersion() == (rt.cudaError_t.cudaSuccess, major * 1000 + minor * 10)
    err, text = rt.cudaGetErrorString(rt.cudaError_t.cudaErrorInsufficientDriver)
    assert err == rt.cudaError_t.cudaSuccess and b"driver version is insufficient" in text
    assert rt.cudaGetErrorName(rt.cudaError_t.cudaErrorMemoryAllocation)[1] == b"cudaErrorMemoryAllocation"


def test_without_a_driver_calls_return_insufficient_driver():
    if has_driver():
        pytest.skip("this machine has an NVIDIA driver")
    assert rt.cudaGetDeviceCount() == (rt.cudaError_t.cudaErrorInsufficientDriver, None)
    assert rt.cudaMalloc(1024) == (rt.cudaError_t.cudaErrorInsufficientDriver, None)
    assert rt.cudaDeviceSynchronize() == (rt.cudaError_t.cudaErrorInsufficientDriver,)


def test_reference_functions_exist_or_are_listed_as_missing():
    """Every function the headers declare is in the module or in the generator's list of what is not yet."""
    names = json.loads(REFERENCE.read_text())["cuda.bindings.runtime"]
    functions = [n for n in names if n.startswith("cuda") and "." not in n and n[4:5].isupper()]
    model = json.loads(api_file("runtime.json").read_text())
    declared = {f["name"] for f in model["functions"]}
    listed = MISSING.read_text()
    unexplained = [n for n in functions if n in declared and not hasattr(rt, n) and f"\n{n}:" not in "\n" + listed]
    assert unexplained == []
    assert sum(hasattr(rt, n) for n in functions) >= 500  # of 586; the rest: interop headers, types, constants


def test_classes_and_constants():
    d = rt.dim3()
    d.x, d.y, d.z = 4, 2, 1
    assert (d.x, d.y, d.z) == (4, 2, 1) and rt.sizeof(rt.dim3) == 12
    prop = rt.cudaDeviceProp()
    assert prop.name[:1] == b"\0" and rt.sizeof(rt.cudaDeviceProp) > 1000
    assert int(rt.cudaStream_t(5)) == 5
    assert rt.cudaMemcpyKind.cudaMemcpyHostToDevice == 1
    with pytest.raises(TypeError):
        rt.cudaMalloc("1024")
    with pytest.raises(OverflowError):
        rt.cudaMalloc(-1)


def test_per_thread_entry_points_are_known():
    """cudaMemcpy and cudaStreamQuery have _ptds/_ptsz twins, taken under the environment variable."""
    model = json.loads(api_file("runtime.json").read_text())
    per_thread = {f["name"]: f["per_thread"] for f in model["functions"] if f.get("per_thread")}
    assert per_thread["cudaMemcpy"] == "ptds" and per_thread["cudaStreamQuery"] == "ptsz"
    code = (
        "from cuda.bindings import cyruntime, runtime\n"
        "runtime.cudaRuntimeGetVersion()\n"  # loads the table
        "print(cyruntime._load_library())\n"
    )
    for flag in ("0", "1"):
        env = {"CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM": flag}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env={**__import__("os").environ, **env}
        )
        assert out.returncode == 0 and f"libcudart.so.{MAJOR}" in out.stdout, out.stderr


def test_stream_callbacks_released_when_the_call_fails():
    if has_driver():
        pytest.skip("this machine has an NVIDIA driver (the GPU tests run the callback)")

    def callback(stream, status, data):
        raise AssertionError("never called")

    payload = object()
    before = sys.getrefcount(callback), sys.getrefcount(payload)
    assert rt.cudaStreamAddCallback(0, callback, payload, 0) == (rt.cudaError_t.cudaErrorInsufficientDriver,)
    assert (sys.getrefcount(callback), sys.getrefcount(payload)) == before
    with pytest.raises(TypeError):
        rt.cudaStreamAddCallback(0, "not callable", None, 0)


def test_host_node_params_take_python_callables():
    import gc
    import weakref

    def fn(data):
        pass

    params = rt.cudaHostNodeParams()
    params.fn = fn
    params.userData = {"any": "object"}
    assert params.fn is fn and params.userData == {"any": "object"}
    node = rt.cudaGraphNodeParams()
    node.type = rt.cudaGraphNodeType.cudaGraphNodeTypeHost
    v2 = rt.cudaHostNodeParamsV2()
    v2.userData = 3  # before fn: kept for it
    v2.fn = fn
    node.host = v2
    wr = weakref.ref(fn)
    del fn, params, v2
    gc.collect()
    assert wr() is not None and node.host.fn is wr() and node.host.userData == 3
    node.host.fn = None  # NULL: the callable is dropped, the address kept
    gc.collect()
    assert wr() is None and node.host.userData == 3
    if not has_driver():
        deps = (None, None) if MAJOR >= 13 else (None,)  # 13.x added the dependency edge data
        assert rt.cudaGraphAddNode(0, *deps, 0, node)[0] == rt.cudaError_t.cudaErrorInsufficientDriver


def test_launch_config_attrs_are_a_list():
    attr = rt.cudaLaunchAttribute()
    attr.id = rt.cudaLaunchAttributeID.cudaLaunchAttributePriority
    attr.val.priority = 7
    config = rt.cudaLaunchConfig_t()
    config.attrs = [attr, attr]
    del attr
    assert config.numAttrs == 2 and [a.val.priority for a in config.attrs] == [7, 7]
    config.attrs = None
    assert config.numAttrs == 0 and config.attrs == []


def test_graphics_interop_without_a_driver():
    assert int(rt.GLuint(5)) == 5 and rt.sizeof(rt.VdpDevice) == 4 and rt.sizeof(rt.EGLImageKHR) == 8
    with pytest.raises(TypeError):
        rt.cudaGraphicsGLRegisterBuffer(1.5, 0)
    if has_driver():
        pytest.skip("this machine has an NVIDIA driver")
    none = rt.cudaError_t.cudaErrorInsufficientDriver
    assert rt.cudaGraphicsGLRegisterBuffer(rt.GLuint(1), 0) == (none, None)
    assert rt.cudaGraphicsGLRegisterImage(1, rt.GLenum(0x0DE1), 0) == (none, None)
    assert rt.cudaGLGetDevices(2, rt.cudaGLDeviceList.cudaGLDeviceListAll)[0] == none
    assert rt.cudaVDPAUGetDevice(rt.VdpDevice(1), 0x1234) == (none, None)
    assert rt.cudaVDPAUSetVDPAUDevice(0, 1, rt.VdpGetProcAddress(0x1234)) == (none,)
    assert rt.cudaGraphicsVDPAURegisterVideoSurface(rt.VdpVideoSurface(1), 0) == (none, None)
    assert rt.cudaGraphicsEGLRegisterImage(rt.EGLImageKHR(0x10), 0) == (none, None)
    assert rt.cudaEGLStreamConsumerConnect(rt.EGLStreamKHR(1)) == (none, None)
    conn = rt.cudaEglStreamConnection()
    assert rt.cudaEGLStreamConsumerAcquireFrame(conn, rt.cudaGraphicsResource_t(), rt.cudaStream_t(), 10) == (none,)
    frame = rt.cudaEglFrame()
    frame.planeCount = 1
    assert rt.cudaEGLStreamProducerPresentFrame(conn, frame, rt.cudaStream_t()) == (none,)
    assert rt.cudaEventCreateFromEGLSync(rt.EGLSyncKHR(2), 0) == (none, None)


def test_egl_structs_declared_by_us_have_the_header_layout(tmp_path):
    """cudaEglFrame and cudaEglPlaneDesc are declared in cyruntime.pxd (their header needs EGL's): same
    sizes and offsets as a C program compiled with cuda_egl_interop.h and the codegen's EGL stand-ins."""
    import ctypes
    import shutil

    from conftest import c_compiler_and_headers

    cc, include = c_compiler_and_headers("cuda_egl_interop.h", "crt/host_defines.h")
    shutil.copytree(HERE / "codegen" / "cstubs" / "EGL", tmp_path / "EGL")
    src = tmp_path / "egl.c"
    src.write_text(
        "#include <stdio.h>\n#include <stddef.h>\n#include <cuda_egl_interop.h>\n"
        'int main(void) { printf("%zu %zu %zu %zu", sizeof(struct cudaEglFrame_st),'
        " sizeof(struct cudaEglPlaneDesc_st), offsetof(struct cudaEglFrame_st, planeCount),"
        " offsetof(struct cudaEglPlaneDesc_st, numChannels)); return 0; }\n"
    )
    subprocess.run([cc, f"-I{include}", f"-I{tmp_path}", "-o", str(tmp_path / "egl"), str(src)], check=True)
    frame_size, plane_size, plane_count_at, channels_at = map(int, subprocess.check_output([tmp_path / "egl"]).split())
    assert (rt.sizeof(rt.cudaEglFrame), rt.sizeof(rt.cudaEglPlaneDesc)) == (frame_size, plane_size)
    frame, plane = rt.cudaEglFrame(), rt.cudaEglPlaneDesc()
    frame.planeCount, plane.numChannels = 3, 4
    assert ctypes.c_uint.from_address(frame.getPtr() + plane_count_at).value == 3
    assert ctypes.c_uint.from_address(plane.getPtr() + channels_at).value == 4


def test_const_handle_parameters_take_the_plain_handle():
    """cudaGetChannelDesc(array: cudaArray_const_t) takes the cudaArray_t that cudaMallocArray returns;
    a handle of another kind is still a TypeError naming both classes."""
    try:
        err = rt.cudaGetChannelDesc(rt.cudaArray_t(0))[0]
    except RuntimeError as e:  # no runtime library could be loaded
        pytest.skip(str(e).splitlines()[0])
    assert isinstance(err, rt.cudaError_t)
    with pytest.raises(TypeError, match="cudaArray_const_t or cudaArray_t"):
        rt.cudaGetChannelDesc(rt.cudaStream_t(0))


def test_driver_handles_are_taken_where_runtime_handles_are_asked():
    """A CUstream where a cudaStream_t is asked (and CUevent, CUgraph...): the same C object."""
    from cuda.bindings import driver as cu

    if has_driver():
        pytest.skip("this machine has an NVIDIA driver (the GPU tests cover the calls there)")
    no_driver = (rt.cudaError_t.cudaErrorInsufficientDriver,)
    assert rt.cudaStreamSynchronize(cu.CUstream(0)) == no_driver
    assert rt.cudaEventQuery(cu.CUevent(0)) == no_driver
    assert rt.cudaGraphDestroy(cu.CUgraph(0))[0] == no_driver[0]
    with pytest.raises(TypeError, match="stream must be a cudaStream_t"):
        rt.cudaStreamSynchronize(cu.CUevent(0))  # a twin of another kind is still refused
    with pytest.raises(TypeError):
        rt.cudaStreamSynchronize(cu.CUdeviceptr(0))


def test_mem_pool_attribute_values_are_values_not_addresses():
    """cudaMemPoolSetAttribute(pool, attr, 9 or cuuint64_t(9)): the value itself (an address here
    crashed cudart), as NVIDIA's take it; cudaMemPoolGetAttribute returns it."""
    from cuda.bindings import driver as cu

    attr = rt.cudaMemPoolAttr.cudaMemPoolAttrReleaseThreshold
    for value in (9, cu.cuuint64_t(9)):
        err = rt.cudaMemPoolSetAttribute(0, attr, value)[0]
        assert isinstance(err, rt.cudaError_t)
    with pytest.raises(TypeError, match="value must be an int"):
        rt.cudaMemPoolSetAttribute(0, attr, "nine")
    assert rt.cudaMemPoolGetAttribute.__doc__.startswith("cudaMemPoolGetAttribute(memPool, attr)")


def test_fixed_arrays_of_structs_are_settable():
    """cudaEglFrame's frame union: pPitch (3 cudaPitchedPtr) set from a list, sharing memory with pArray."""
    frame = rt.cudaEglFrame()
    frame.frame.pArray = [1, 2, rt.cudaArray_t(4)]
    assert int(frame.frame.pPitch[0].ptr) == 1 and frame.frame.pPitch[0].pitch == 2
    frame.frame.pPitch = [rt.cudaPitchedPtr(), rt.cudaPitchedPtr(), rt.cudaPitchedPtr()]
    assert [int(a) for a in frame.frame.pArray] == [0, 0, 0]
    element = frame.frame.pPitch[0]  # a copy: changing it changes the frame only when set back
    element.pitch = 123
    assert frame.frame.pPitch[0].pitch == 0
    frame.frame.pPitch = [element, element, element]
    element.pitch = 1234
    assert [p.pitch for p in frame.frame.pPitch] == [123, 123, 123]
    with pytest.raises(ValueError, match="takes 3 values"):
        frame.frame.pPitch = [rt.cudaPitchedPtr()]
    with pytest.raises(TypeError):
        frame.frame.pPitch = [1, 2, 3]
