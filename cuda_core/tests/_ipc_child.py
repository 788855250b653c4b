# SPDX-License-Identifier: Apache-2.0
"""The child side of test_memory_gpu's multiprocessing test (a module, so 'spawn' can import it)."""

import numpy as np


def receive_and_read(inbox, outbox):
    from cuda.core import Buffer, Device

    dev = Device(0)
    dev.set_current()
    s = dev.create_stream()
    try:
        mr = inbox.get(timeout=120)  # imported from the exporter's pool, recorded under its uuid
        buf = inbox.get(timeout=120)  # resource + descriptor: mapped through the resource above
        again = Buffer.from_ipc_descriptor(mr, inbox.get(timeout=120))  # the same buffer once more
        event = inbox.get(timeout=120)
        event.sync()
        out = np.zeros(buf.size, np.uint8)
        host = Buffer.from_handle(out.ctypes.data, out.nbytes, owner=out)
        buf.copy_to(host, stream=s)
        s.sync()
        shared = int(buf.handle) == int(again.handle) and buf.memory_resource is mr
        buf.close(s)  # the mapping stays while `again` uses it
        out2 = np.zeros(again.size, np.uint8)
        again.copy_to(Buffer.from_handle(out2.ctypes.data, out2.nbytes, owner=out2), stream=s)
        s.sync()
        again.close(s)
        s.sync()
        outbox.put((str(mr.uuid), int(out.astype(np.int64).sum()), bool(np.array_equal(out, out2)), shared))
    except BaseException as exc:  # report instead of hanging the parent
        outbox.put(("error", repr(exc)))
        raise
