# SPDX-License-Identifier: Apache-2.0
"""Two or more GPUs: peer access, peer copies, streams and events across devices, pools shared with peers.

Marked gpu; each test skips with a reason where fewer than two devices are present (the lent
one-GPU machines). Results are checked with numpy; outputs are poisoned first.
"""

from __future__ import annotations

import numpy as np
import pytest
from _gpu_helpers import ok

from cuda.bindings import driver as cu
from cuda.bindings import runtime as rt

pytestmark = pytest.mark.gpu

COPY_ADD = r"""
extern "C" __global__ void add_from_peer(float* out, const float* peer_in, float k, unsigned long long n) {
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n) out[i] = peer_in[i] + k;
}
"""


@pytest.fixture
def two_devices():
    from cuda.core import Device, system

    count = system.get_num_devices()
    if count < 2:
        pytest.skip(f"needs two GPUs; this machine has {count}")
    d0, d1 = Device(0), Device(1)
    d1.set_current()
    d0.set_current()
    return d0, d1


def host_view(buf, dtype=np.float32):
    """A numpy array over a host-accessible Buffer (DLPack export of cuda.core)."""
    return np.from_dlpack(buf).view(dtype)


def pinned(nbytes):
    from cuda.core import LegacyPinnedMemoryResource

    return LegacyPinnedMemoryResource().allocate(nbytes)


def test_can_access_peer_matches_driver(two_devices):
    d0, d1 = two_devices
    expected = bool(ok(cu.cuDeviceCanAccessPeer(cu.CUdevice(0), cu.CUdevice(1))))
    assert d0.can_access_peer(d1) is expected
    assert d0.can_access_peer(1) is expected
    assert d0.can_access_peer(d0) is True


def test_driver_enable_peer_access(two_devices):
    d0, d1 = two_devices
    if not d0.can_access_peer(d1):
        pytest.skip("devices 0 and 1 cannot access each other")
    d1.set_current()
    peer_ctx = d1.context.handle  # Device.context is the current context: d1's must be current here
    d0.set_current()
    err = cu.cuCtxEnablePeerAccess(peer_ctx, 0)[0]
    assert err in (cu.CUresult.CUDA_SUCCESS, cu.CUresult.CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED)
    assert cu.cuCtxEnablePeerAccess(peer_ctx, 0)[0] == cu.CUresult.CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED
    ok(cu.cuCtxDisablePeerAccess(peer_ctx))
    assert cu.cuCtxDisablePeerAccess(peer_ctx)[0] == cu.CUresult.CUDA_ERROR_PEER_ACCESS_NOT_ENABLED


def test_runtime_peer_copy(two_devices):
    n = 1 << 20
    ok(rt.cudaSetDevice(0))
    if ok(rt.cudaDeviceCanAccessPeer(0, 1)):  # cudaMemcpyPeer stages through the host otherwise
        err = rt.cudaDeviceEnablePeerAccess(1, 0)[0]
        assert err in (rt.cudaError_t.cudaSuccess, rt.cudaError_t.cudaErrorPeerAccessAlreadyEnabled)
    src = ok(rt.cudaMalloc(n * 4))
    ok(rt.cudaSetDevice(1))
    dst = ok(rt.cudaMalloc(n * 4))
    data = np.random.default_rng(1).random(n, dtype=np.float32)
    back = np.full(n, -1.0, np.float32)
    ok(rt.cudaMemcpy(src, data.ctypes.data, n * 4, rt.cudaMemcpyKind.cudaMemcpyHostToDevice))
    ok(rt.cudaMemcpyPeer(dst, 1, src, 0, n * 4))
    ok(rt.cudaMemcpy(back.ctypes.data, dst, n * 4, rt.cudaMemcpyKind.cudaMemcpyDeviceToHost))
    np.testing.assert_array_equal(back, data)
    ok(rt.cudaFree(dst))
    ok(rt.cudaSetDevice(0))
    ok(rt.cudaFree(src))


def test_buffer_peer_copy_with_events(two_devices):
    """Device 0 writes, device 1's stream waits on device 0's event, copies, and reads back."""
    from cuda.core import DeviceMemoryResource

    d0, d1 = two_devices
    if not d1.can_access_peer(d0):
        pytest.skip("device 1 cannot access device 0")
    n = 1 << 22
    data = np.random.default_rng(2).random(n, dtype=np.float32)
    d0.set_current()
    s0 = d0.create_stream()
    b0 = d0.allocate(n * 4, stream=s0)
    staging = pinned(n * 4)
    host_view(staging)[:] = data
    b0.copy_from(staging, stream=s0)
    written = s0.record()
    d1.set_current()
    s1 = d1.create_stream()
    b1 = d1.allocate(n * 4, stream=s1)
    b1.fill(0xFF, stream=s1)  # poison
    s1.wait(written)
    # device 1's stream reads device 0's pool memory: the pool must map it for device 1 (pool
    # memory does not follow cuCtxEnablePeerAccess)
    mr0 = DeviceMemoryResource(d0)
    mr0.peer_accessible_by = [d1]
    b0.copy_to(b1, stream=s1)
    out = pinned(n * 4)
    host_view(out)[:] = -1.0
    b1.copy_to(out, stream=s1)
    s1.sync()
    np.testing.assert_array_equal(host_view(out), data)
    assert b0.device_id == 0 and b1.device_id == 1
    b1.close(s1)
    d0.set_current()
    mr0.peer_accessible_by = []
    b0.close(s0)


def test_pool_peer_accessible_by(two_devices):
    """A kernel on device 1 reads device 0's pool memory directly once the pool grants access."""
    from cuda.core import (
        DeviceMemoryResource,
        DeviceMemoryResourceOptions,
        LaunchConfig,
        Program,
        ProgramOptions,
        launch,
    )

    d0, d1 = two_devices
    if not d0.can_access_peer(d1) or not d1.can_access_peer(d0):
        pytest.skip("devices 0 and 1 cannot access each other")
    n = 1 << 16
    d0.set_current()
    mr0 = DeviceMemoryResource(d0, DeviceMemoryResourceOptions(max_size=1 << 26))
    assert set(mr0.peer_accessible_by) == set()
    mr0.peer_accessible_by = [d1]
    assert {int(d.device_id) for d in mr0.peer_accessible_by} == {1}
    s0 = d0.create_stream()
    src = mr0.allocate(n * 4, stream=s0)
    data = np.random.default_rng(3).random(n, dtype=np.float32)
    staging = pinned(n * 4)
    host_view(staging)[:] = data
    src.copy_from(staging, stream=s0)
    s0.sync()

    d1.set_current()
    kernel = Program(COPY_ADD, "c++", ProgramOptions(arch=f"sm_{d1.arch}")).compile("cubin").get_kernel("add_from_peer")
    s1 = d1.create_stream()
    out = d1.allocate(n * 4, stream=s1)
    out.fill(0xFF, stream=s1)
    launch(s1, LaunchConfig(grid=(n + 255) // 256, block=256), kernel, out, src, np.float32(1.5), np.uint64(n))
    back = pinned(n * 4)
    out.copy_to(back, stream=s1)
    s1.sync()
    np.testing.assert_allclose(host_view(back), data + np.float32(1.5))
    out.close(s1)
    d0.set_current()
    mr0.peer_accessible_by = []
    assert set(mr0.peer_accessible_by) == set()
    src.close(s0)
    s0.sync()
    mr0.close()
