"""Names the headers give by macro or typedef, the runtime's inline helpers, and NVIDIA's numbering of
unnamed nested records: no GPU needed. Values are those of the CUDA 13.0 headers."""

from __future__ import annotations

import json
import pathlib

import pytest

from cuda.bindings import driver as cu
from cuda.bindings import runtime as rt

REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "ci" / "reference" / "api-names.json"


def test_macro_aliases_of_launch_attribute_members():
    # cuda.h: #define CU_STREAM_ATTRIBUTE_PRIORITY CU_LAUNCH_ATTRIBUTE_PRIORITY (= 8)
    assert cu.CU_STREAM_ATTRIBUTE_PRIORITY is cu.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PRIORITY
    assert cu.CU_STREAM_ATTRIBUTE_PRIORITY == 8
    assert cu.CU_KERNEL_NODE_ATTRIBUTE_COOPERATIVE is cu.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_COOPERATIVE
    assert cu.CU_KERNEL_NODE_ATTRIBUTE_ACCESS_POLICY_WINDOW == 1
    assert rt.cudaStreamAttributePriority is rt.cudaLaunchAttributeID.cudaLaunchAttributePriority
    assert rt.cudaKernelNodeAttributeClusterDimension is rt.cudaLaunchAttributeID.cudaLaunchAttributeClusterDimension
    assert "CU_STREAM_ATTRIBUTE_PRIORITY" in dir(cu)


def test_type_aliases():
    assert cu.CUkernelNodeAttrID is cu.CUlaunchAttributeID and cu.CUstreamAttrID is cu.CUlaunchAttributeID
    assert rt.cudaKernelNodeAttrID is rt.cudaLaunchAttributeID and rt.cudaStreamAttrID is rt.cudaLaunchAttributeID
    assert rt.cudaKernelNodeAttrValue is rt.cudaLaunchAttributeValue
    assert rt.cudaStreamAttrValue is rt.cudaLaunchAttributeValue
    value = rt.cudaStreamAttrValue()
    value.priority = -3
    assert value.priority == -3


def test_device_id_constants():
    # ((CUdevice)-1), ((CUdevice)-2); ((int)-1), ((int)-2)
    assert (cu.CU_DEVICE_CPU, cu.CU_DEVICE_INVALID) == (-1, -2)
    assert (rt.cudaCpuDeviceId, rt.cudaInvalidDeviceId) == (-1, -2)


def test_library_types_enums():
    assert rt.cudaDataType.CUDA_R_16BF == 14 and rt.cudaDataType_t is rt.cudaDataType
    assert rt.libraryPropertyType.MAJOR_VERSION == 0 and rt.libraryPropertyType.PATCH_LEVEL == 2
    assert rt.cudaRoundMode.cudaRoundZero == 1 and rt.cudaRoundMode.cudaRoundMinInf == 3
    assert rt.cudaEmulationStrategy.__members__ and rt.cudaEmulationMantissaControl.__members__
    assert rt.cudaEmulationSpecialValuesSupport.__members__


def test_make_helpers():
    e = rt.make_cudaExtent(64, 32, 2)
    assert isinstance(e, rt.cudaExtent) and (e.width, e.height, e.depth) == (64, 32, 2)
    p = rt.make_cudaPos(1, 2, 3)
    assert (p.x, p.y, p.z) == (1, 2, 3)
    pp = rt.make_cudaPitchedPtr(0x1000, 512, 100, 7)
    assert (pp.ptr, pp.pitch, pp.xsize, pp.ysize) == (0x1000, 512, 100, 7)
    err, desc = rt.cudaCreateChannelDesc(32, 0, 0, 0, rt.cudaChannelFormatKind.cudaChannelFormatKindFloat)
    assert err == rt.cudaError_t.cudaSuccess and isinstance(desc, rt.cudaChannelFormatDesc)
    assert (desc.x, desc.y, desc.z, desc.w) == (32, 0, 0, 0)
    assert desc.f == rt.cudaChannelFormatKind.cudaChannelFormatKindFloat
    with pytest.raises(TypeError):
        rt.make_cudaExtent("1", 2, 3)
    with pytest.raises(OverflowError):
        rt.make_cudaPos(-1, 0, 0)


def test_local_runtime_version_and_profiler():
    assert rt.getLocalRuntimeVersion() == rt.cudaRuntimeGetVersion()
    assert callable(rt.cudaProfilerStart) and callable(rt.cudaProfilerStop)


def test_simple_outputs_are_wrapped():
    assert callable(cu.cuDeviceGetLuid) and callable(rt.cudaDeviceGetPCIBusId)
    assert callable(rt.cudaGraphAddMemcpyNode1D)
    with pytest.raises(TypeError):
        rt.cudaGraphAddMemcpyNode1D(None, ["not a node"], 1, 0, 0, 0, 0)


@pytest.mark.parametrize("module,lib", [(cu, "driver"), (rt, "runtime")])
def test_anon_records_numbered_as_the_reference(module, lib):
    """Each anon_structN / anon_unionN of the reference has the same fields here (EGL's aside)."""
    names = json.loads(REFERENCE.read_text())[f"cuda.bindings.{lib}"]
    fields: dict[str, set] = {}
    for name in names:
        cls, _, member = name.partition(".")
        if cls.startswith("anon_"):
            fields.setdefault(cls, set()).add(member)
    checked = 0
    for cls, members in fields.items():
        if {"pArray", "pPitch"} <= members:
            continue  # CUeglFrame's union: the EGL header is not parsed here
        ours = getattr(module, cls)
        assert {m for m in members if m} <= set(dir(ours)), cls
        checked += 1
    assert checked >= 30
    assert module.anon_struct1 is not None
