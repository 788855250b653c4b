# SPDX-License-Identifier: Apache-2.0
"""What the bindings hand a driver that calls back or keeps pointers, on a stand-in (no GPU needed).

The stand-in libcuda.so.1 (built here) answers cuGetProcAddress_v2 with a
cuLaunchHostFunc and a cuStreamAddCallback that call the function immediately, or
fail for stream 0xBAD, and with graphs that hold host nodes and user objects: an
instantiated graph is its graph referenced once more, a launch calls the host nodes,
and the last release of a graph runs the destructors of its user objects. Its linker
keeps cuLinkCreate's optionValues array, as the real one does for output options, and
writes the log and the log's size through it at cuLinkComplete.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from _toolkit import MAJOR

FAKE_DRIVER = r"""
#include <stdlib.h>
#include <string.h>
typedef void (*host_fn)(void *);
typedef void (*stream_cb)(void *, int, void *);
static int nothing(void) { return 0; }
static int launch_host_func(void *stream, host_fn fn, void *data) {
    if ((unsigned long)stream == 0xBAD) return 400;  /* CUDA_ERROR_INVALID_HANDLE */
    fn(data);
    return 0;
}
/* cuStreamAddCallback: runs at once, with the stream and a status of 0, or 999 for stream 0xE22 */
static int stream_add_callback(void *stream, stream_cb cb, void *data, unsigned flags) {
    if ((unsigned long)stream == 0xBAD || flags) return 400;
    cb(stream, (unsigned long)stream == 0xE22 ? 999 : 0, data);
    return 0;
}
/* graphs: host nodes and user objects; an instantiated graph is the graph, referenced once more */
typedef struct { host_fn fn; void *data; } host_params;
typedef struct { void *ptr; host_fn destroy; int refs; } user_object;
typedef struct { int refs; int n_nodes; host_params nodes[16]; int n_objects; user_object *objects[16]; } graph;
static void object_release(user_object *o, int count) {
    o->refs -= count;
    if (o->refs == 0) { o->destroy(o->ptr); free(o); }
}
static void graph_release(graph *g) {
    if (--g->refs) return;
    for (int i = 0; i < g->n_objects; i++) object_release(g->objects[i], 1);
    free(g);
}
static int graph_create(graph **out, unsigned flags) {
    (void)flags; *out = calloc(1, sizeof(graph)); (*out)->refs = 1; return 0;
}
static int add_host_node(void **node, graph *g, void *deps, size_t n, const host_params *p) {
    (void)deps; (void)n;
    g->nodes[g->n_nodes] = *p; *node = (void *)(long)(0x100 + g->n_nodes++); return 0;
}
typedef struct {
    int type; int reserved0[3]; union { long long reserved1[29]; host_params host; }; long long reserved2;
} node_params;
static int add_node(void **node, graph *g, void *deps, void *edges, size_t n, node_params *p) {
    (void)edges;
    if (p->type != 3) return 1;  /* CU_GRAPH_NODE_TYPE_HOST only */
    return add_host_node(node, g, deps, n, &p->host);
}
static int host_node_get_params(void *node, host_params *p) { (void)node; (void)p; return 0; }
static int instantiate(graph **exec, graph *g, unsigned long long flags) {
    (void)flags; g->refs++; *exec = g; return 0;
}
static int launch(graph *g, void *stream) {
    (void)stream;
    for (int i = 0; i < g->n_nodes; i++) g->nodes[i].fn(g->nodes[i].data);
    return 0;
}
static int destroy(graph *g) { graph_release(g); return 0; }
static int user_object_create(user_object **out, void *ptr, host_fn destroy, unsigned refs, unsigned flags) {
    if (flags != 1) return 1;
    user_object *o = malloc(sizeof(user_object));
    o->ptr = ptr; o->destroy = destroy; o->refs = refs; *out = o; return 0;
}
static int user_object_release(user_object *o, unsigned count) { object_release(o, count); return 0; }
static int graph_retain_user_object(graph *g, user_object *o, unsigned count, unsigned flags) {
    if (count != 1 || flags != 1) return 1;  /* this stand-in takes only a moved reference */
    g->objects[g->n_objects++] = o; return 0;
}
/* the linker: optionValues stays the driver's to write until cuLinkDestroy (CUDA's documentation) */
typedef struct { unsigned n; int options[8]; void **values; void *seen[8]; } link_state;
static int link_create(unsigned n, const int *options, void **values, link_state **out) {
    if (n > 8) return 1;
    link_state *s = calloc(1, sizeof(link_state));
    s->n = n; s->values = values;
    for (unsigned i = 0; i < n; i++) { s->options[i] = options[i]; s->seen[i] = values[i]; }
    *out = s; return 0;
}
static int link_complete(link_state *s, void **cubin, size_t *size) {
    /* the array must still hold what it held at cuLinkCreate: 301 (CUDA_ERROR_FILE_NOT_FOUND) if not */
    for (unsigned i = 0; i < s->n; i++) if (s->values[i] != s->seen[i]) return 301;
    for (unsigned i = 0; i < s->n; i++)
        if (s->options[i] == 3) strcpy((char *)s->values[i], "linked");  /* CU_JIT_INFO_LOG_BUFFER */
    for (unsigned i = 0; i < s->n; i++)  /* CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES: the log's length, back */
        if (s->options[i] == 4) s->values[i] = (void *)7;
    *cubin = s; *size = 1; return 0;
}
static int link_destroy(link_state *s) { free(s); return 0; }
/* what calls were handed, for the input-conversion checks: read with ctypes from the script */
unsigned long long stand_in_seen[4];
static int module_load_data(void **module, const void *image) {
    memcpy(&stand_in_seen[0], image, 8); *module = (void *)0x1234; return 0;
}
static int pointer_set_attribute(const void *value, int attribute, unsigned long long ptr) {
    stand_in_seen[1] = *(const unsigned *)value; stand_in_seen[2] = (unsigned long long)attribute;
    stand_in_seen[3] = ptr; return 0;
}
static int stream_synchronize(void *stream) { stand_in_seen[3] = (unsigned long long)stream; return 0; }
static const struct { const char *name; void *fn; } table[] = {
    {"cuModuleLoadData", (void *)module_load_data}, {"cuPointerSetAttribute", (void *)pointer_set_attribute},
    {"cuStreamSynchronize", (void *)stream_synchronize},
    {"cuLinkCreate", (void *)link_create}, {"cuLinkComplete", (void *)link_complete},
    {"cuLinkDestroy", (void *)link_destroy},
    {"cuLaunchHostFunc", (void *)launch_host_func}, {"cuStreamAddCallback", (void *)stream_add_callback},
    {"cuGraphCreate", (void *)graph_create}, {"cuGraphAddHostNode", (void *)add_host_node},
    {"cuGraphAddNode", (void *)add_node}, {"cuGraphHostNodeGetParams", (void *)host_node_get_params},
    {"cuGraphInstantiateWithFlags", (void *)instantiate}, {"cuGraphLaunch", (void *)launch},
    {"cuGraphDestroy", (void *)destroy}, {"cuGraphExecDestroy", (void *)destroy},
    {"cuUserObjectCreate", (void *)user_object_create}, {"cuUserObjectRelease", (void *)user_object_release},
    {"cuGraphRetainUserObject", (void *)graph_retain_user_object},
};
/* graphics interop: no GL/VDPAU context here */
static int no_graphics_context(void) { return 219; }  /* CUDA_ERROR_INVALID_GRAPHICS_CONTEXT */
int cuGetProcAddress_v2(const char *name, void **pfn, int version, unsigned long long flags, int *status) {
    (void)version; (void)flags;
    *pfn = (void *)nothing;
    if (strncmp(name, "cuGraphicsGL", 12) == 0 || strncmp(name, "cuGraphicsVDPAU", 15) == 0
        || strncmp(name, "cuVDPAU", 7) == 0 || strcmp(name, "cuGLGetDevices") == 0
        || strncmp(name, "cuGraphicsEGL", 13) == 0 || strncmp(name, "cuEGLStream", 11) == 0
        || strcmp(name, "cuEventCreateFromEGLSync") == 0 || strcmp(name, "cuGraphicsResourceGetMappedEglFrame") == 0)
        *pfn = (void *)no_graphics_context;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(name, table[i].name) == 0) *pfn = table[i].fn;
    if (status) *status = 0;
    return 0;
}
"""

CHILD = textwrap.dedent(
    """
    import ctypes, sys
    from cuda.bindings import driver as cu

    caught = []
    sys.unraisablehook = lambda info: caught.append(info.exc_value)
    calls = []

    def record(data):
        calls.append(data)

    payload = {"any": "python object"}
    before = sys.getrefcount(record), sys.getrefcount(payload)
    assert cu.cuLaunchHostFunc(cu.CUstream(1), record, payload) == (cu.CUresult.CUDA_SUCCESS,)
    assert calls == [payload] and calls[0] is payload
    calls.clear()
    assert (sys.getrefcount(record), sys.getrefcount(payload)) == before, "kept alive after it ran"

    def boom(data):
        raise ValueError("raised in a host function")

    assert cu.cuLaunchHostFunc(cu.CUstream(1), boom, None)[0] == cu.CUresult.CUDA_SUCCESS
    assert len(caught) == 1 and isinstance(caught[0], ValueError)

    err, = cu.cuLaunchHostFunc(cu.CUstream(0xBAD), record, payload)
    assert err == cu.CUresult.CUDA_ERROR_INVALID_HANDLE and calls == []
    assert (sys.getrefcount(record), sys.getrefcount(payload)) == before, "released when the launch failed"

    seen = []
    c_fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(lambda data: seen.append(data))
    assert cu.cuLaunchHostFunc(cu.CUstream(1), c_fn, 77)[0] == cu.CUresult.CUDA_SUCCESS  # a C pointer: as is
    assert seen == [77]
    try:
        cu.cuLaunchHostFunc(cu.CUstream(1), "not callable", None)
    except TypeError:
        pass
    else:
        raise AssertionError("a str is not a host function")
    print("OK")
    """
)


STREAM_CALLBACKS = textwrap.dedent(
    """
    import ctypes, gc, sys
    from cuda.bindings import driver as cu

    caught = []
    sys.unraisablehook = lambda info: caught.append(info.exc_value)
    calls = []

    def record(stream, status, data):
        calls.append((stream, status, data))

    payload = ["any", "python object"]
    before = sys.getrefcount(record), sys.getrefcount(payload)
    assert cu.cuStreamAddCallback(cu.CUstream(7), record, payload, 0) == (cu.CUresult.CUDA_SUCCESS,)
    assert calls == [(cu.CUstream(7), cu.CUresult.CUDA_SUCCESS, payload)] and calls[0][2] is payload
    assert type(calls[0][0]) is cu.CUstream and type(calls[0][1]) is cu.CUresult
    calls.clear()
    assert (sys.getrefcount(record), sys.getrefcount(payload)) == before, "kept alive after it ran"

    assert cu.cuStreamAddCallback(0xE22, record, None, 0)[0] == cu.CUresult.CUDA_SUCCESS
    assert calls == [(cu.CUstream(0xE22), 999, None)], calls  # an unknown status stays an int
    calls.clear()

    def boom(stream, status, data):
        raise KeyError("raised in a stream callback")

    assert cu.cuStreamAddCallback(cu.CUstream(1), boom, None, 0)[0] == cu.CUresult.CUDA_SUCCESS
    assert len(caught) == 1 and isinstance(caught[0], KeyError)

    err, = cu.cuStreamAddCallback(cu.CUstream(0xBAD), record, payload, 0)
    assert err == cu.CUresult.CUDA_ERROR_INVALID_HANDLE and calls == []
    assert (sys.getrefcount(record), sys.getrefcount(payload)) == before, "released when the call failed"

    seen = []
    proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
    c_fn = proto(lambda stream, status, data: seen.append((stream, status, data)))
    assert cu.cuStreamAddCallback(cu.CUstream(5), c_fn, 77, 0)[0] == cu.CUresult.CUDA_SUCCESS  # a C pointer: as is
    assert seen == [(5, 0, 77)]
    for bad in ("not callable", 1.5):
        try:
            cu.cuStreamAddCallback(cu.CUstream(1), bad, None, 0)
        except TypeError:
            pass
        else:
            raise AssertionError(f"{bad!r} is not a callback")
    print("OK")
    """
)

HOST_NODES = textwrap.dedent(
    """
    import gc, sys, weakref
    from cuda.bindings import driver as cu

    caught = []
    sys.unraisablehook = lambda info: caught.append(info.exc_value)
    calls = []

    class Fn:
        def __init__(self, tag):
            self.tag = tag
        def __call__(self, data):
            calls.append((self.tag, data))

    class Data:
        pass

    def ok(result):
        assert result[0] == cu.CUresult.CUDA_SUCCESS, result
        return result[1] if len(result) == 2 else result[1:]

    # the struct: a Python callable and any user data, in either order
    params = cu.CUDA_HOST_NODE_PARAMS()
    fn, data = Fn("a"), Data()
    params.userData = data
    params.fn = fn
    assert params.fn is fn and params.userData is data
    params.userData = data  # again, after fn
    assert params.fn is fn and params.userData is data
    other = cu.CUDA_HOST_NODE_PARAMS()
    other.fn = Fn("b")
    other.userData = 42
    assert other.userData == 42
    refs = weakref.ref(fn), weakref.ref(data)

    graph = ok(cu.cuGraphCreate(0))
    ok(cu.cuGraphAddHostNode(graph, None, 0, params))
    ok(cu.cuGraphAddHostNode(graph, [], 0, other))
    del params, fn, data, other
    gc.collect()
    assert all(r() is not None for r in refs), "the graph keeps the callable and its data"
    exec_ = ok(cu.cuGraphInstantiate(graph, 0))
    ok(cu.cuGraphLaunch(exec_, 0))
    assert [(t, type(d).__name__) for t, d in calls] == [("a", "Data"), ("b", "int")] and calls[1][1] == 42
    calls.clear()
    ok(cu.cuGraphDestroy(graph))
    gc.collect()
    assert all(r() is not None for r in refs), "the instantiated graph keeps them"
    ok(cu.cuGraphLaunch(exec_, 0))
    assert len(calls) == 2
    calls.clear()
    ok(cu.cuGraphExecDestroy(exec_))
    gc.collect()
    assert all(r() is None for r in refs), "released with the last graph that could call it"

    # CUgraphNodeParams.host (a view into the union) and an exception inside
    np_ = cu.CUgraphNodeParams()
    np_.type = cu.CUgraphNodeType.CU_GRAPH_NODE_TYPE_HOST

    def boom(data):
        raise ZeroDivisionError(data)

    np_.host.fn = boom
    np_.host.userData = "payload"
    assert np_.host.fn is boom and np_.host.userData == "payload"
    wr = weakref.ref(boom)
    graph = ok(cu.cuGraphCreate(0))
    ok(cu.cuGraphAddNode(graph, None, None, 0, np_))
    del np_, boom
    gc.collect()
    exec_ = ok(cu.cuGraphInstantiate(graph, 0))
    ok(cu.cuGraphLaunch(exec_, 0))
    assert len(caught) == 1 and isinstance(caught[0], ZeroDivisionError) and caught[0].args == ("payload",)
    caught.clear()  # its traceback holds the function
    ok(cu.cuGraphDestroy(graph))
    ok(cu.cuGraphExecDestroy(exec_))
    gc.collect()
    assert wr() is None

    # a struct copied into another keeps the callable too; a C function replaces it
    hp = cu.CUDA_HOST_NODE_PARAMS_v2()
    f2 = Fn("c")
    hp.fn = f2
    hp.userData = 5
    wr = weakref.ref(f2)
    np_ = cu.CUgraphNodeParams()
    np_.host = hp
    del hp, f2
    gc.collect()
    assert wr() is not None and np_.host.fn is wr() and np_.host.userData == 5
    np_.host.fn = 0  # a C function pointer (NULL here): the callable is dropped, the address stays
    gc.collect()
    assert wr() is None and np_.host.userData == 5 and int(np_.host.fn) == 0
    try:
        np_.host.fn = 1
        np_.host.userData = object()
    except TypeError:
        pass
    else:
        raise AssertionError("a C host function takes an address as user data")
    print("OK")
    """
)


GRAPHICS_INTEROP = textwrap.dedent(
    """
    from cuda.bindings import driver as cu

    no_context = cu.CUresult.CUDA_ERROR_INVALID_GRAPHICS_CONTEXT
    assert cu.cuGraphicsGLRegisterBuffer(cu.GLuint(3), 0) == (no_context, None)
    assert cu.cuGraphicsGLRegisterImage(3, cu.GLenum(0x0DE1), 0) == (no_context, None)  # GL_TEXTURE_2D
    assert cu.cuGLGetDevices(4, cu.CUGLDeviceList.CU_GL_DEVICE_LIST_ALL) == (no_context, None, None)
    assert cu.cuVDPAUGetDevice(cu.VdpDevice(1), 0x1234) == (no_context, None)
    assert cu.cuVDPAUCtxCreate(0, 0, 1, cu.VdpGetProcAddress(0x1234)) == (no_context, None)
    assert cu.cuGraphicsVDPAURegisterVideoSurface(cu.VdpVideoSurface(2), 0) == (no_context, None)
    assert cu.cuGraphicsVDPAURegisterOutputSurface(cu.VdpOutputSurface(2), 0) == (no_context, None)
    assert cu.cuGraphicsEGLRegisterImage(cu.EGLImageKHR(0x10), 0) == (no_context, None)
    assert cu.cuEGLStreamConsumerConnect(cu.EGLStreamKHR(1)) == (no_context, None)
    assert cu.cuEGLStreamProducerConnect(cu.EGLStreamKHR(1), cu.EGLint(640), 480) == (no_context, None)
    conn, stream, resource = cu.CUeglStreamConnection(), cu.CUstream(), cu.CUgraphicsResource()
    assert cu.cuEGLStreamConsumerAcquireFrame(conn, resource, stream, 1000) == (no_context,)
    frame = cu.CUeglFrame()
    frame.width, frame.planeCount = 640, 2
    frame.frameType = cu.CUeglFrameType.CU_EGL_FRAME_TYPE_PITCH
    assert cu.cuEGLStreamProducerPresentFrame(conn, frame, stream) == (no_context,)
    assert cu.cuEGLStreamProducerReturnFrame(conn, frame, stream) == (no_context,)
    assert cu.cuEGLStreamConsumerDisconnect(conn) == (no_context,)
    assert cu.cuGraphicsResourceGetMappedEglFrame(resource, 0, 0) == (no_context, None)
    assert cu.cuEventCreateFromEGLSync(cu.EGLSyncKHR(3), 0) == (no_context, None)
    print("OK")
    """
)

LINKER = textwrap.dedent(
    """
    import gc, sys
    from cuda.bindings import driver as cu

    opt = cu.CUjit_option
    ok = cu.CUresult.CUDA_SUCCESS

    def create(log):
        # the lists and the array made from them are gone when this returns: the bindings keep the array
        return cu.cuLinkCreate(2, [opt.CU_JIT_INFO_LOG_BUFFER, opt.CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES], [log, len(log)])

    log = bytearray(64)
    before = sys.getrefcount(log)
    err, state = create(log)
    assert err == ok, err
    junk = [bytes(64) for _ in range(1000)]  # reuse freed memory, as a busy process would
    gc.collect()
    err, cubin, size = cu.cuLinkComplete(state)
    assert err == ok, f"the option values were freed under the driver: {err!r}"
    assert log[:7] == b"linked" + bytes(1), bytes(log[:8])
    assert cu.cuLinkDestroy(state) == (ok,)
    assert sys.getrefcount(log) == before, "the log buffer stays referenced after cuLinkDestroy"
    err, state = cu.cuLinkCreate(0, None, None)  # no options: nothing to keep
    assert err == ok and cu.cuLinkDestroy(state) == (ok,)
    print("OK")
    """
)


INPUTS = textwrap.dedent(
    """
    import ctypes, warnings
    import numpy as np
    from cuda.bindings import driver as cu, runtime as rt

    warnings.simplefilter("ignore", DeprecationWarning)  # numpy 2.5 deprecates np.char.array
    seen = (ctypes.c_ulonglong * 4).in_dll(ctypes.CDLL("libcuda.so.1"), "stand_in_seen")
    ptx = b"//PTX...\\0"
    # const inputs take read-only buffers: np.char.array (NVIDIA's documented pattern), bytes,
    # a read-only numpy array, as well as writable ones
    frozen = np.frombuffer(ptx, dtype=np.uint8)
    assert not frozen.flags.writeable
    for image in (np.char.array(ptx), ptx, frozen, bytearray(ptx), memoryview(ptx)):
        seen[0] = 0
        err, module = cu.cuModuleLoadData(image)
        assert err == cu.CUresult.CUDA_SUCCESS and int(module) == 0x1234, (type(image), err)
        assert seen[0] == int.from_bytes(ptx[:8], "little"), type(image)

    # cuPointerSetAttribute takes the value itself (a bool), not the address of one
    sync = cu.CUpointer_attribute.CU_POINTER_ATTRIBUTE_SYNC_MEMOPS
    for value, expected in ((True, 1), (False, 0), (1, 1), (1.5, 1)):  # a float is truncated, as NVIDIA's
        seen[1] = 99
        assert cu.cuPointerSetAttribute(value, sync, cu.CUdeviceptr(0x7000)) == (cu.CUresult.CUDA_SUCCESS,)
        assert (seen[1], seen[2], seen[3]) == (expected, int(sync), 0x7000)
    for bad in (None, "yes", b"1"):
        try:
            cu.cuPointerSetAttribute(bad, sync, 0x7000)
        except TypeError:
            pass
        else:
            raise AssertionError(f"{bad!r} is not a pointer attribute value")

    # the runtime's handle where the driver's is asked for; a float device pointer is truncated
    assert cu.cuStreamSynchronize(rt.cudaStream_t(0x55)) == (cu.CUresult.CUDA_SUCCESS,) and seen[3] == 0x55
    assert cu.cuPointerSetAttribute(1, sync, 28672.0) == (cu.CUresult.CUDA_SUCCESS,) and seen[3] == 0x7000
    try:
        cu.cuStreamSynchronize(86.0)  # a float is an address only where a device pointer is asked
    except TypeError:
        pass
    else:
        raise AssertionError("a float is not a stream")
    # a CUkernel (or the runtime's cudaKernel_t) where a CUfunction is asked: the driver allows the cast
    for kernel in (cu.CUkernel(0x66), rt.cudaKernel_t(0x66), rt.cudaFunction_t(0x66)):
        assert cu.cuFuncSetCacheConfig(kernel, 0) == (cu.CUresult.CUDA_SUCCESS,)
    try:
        cu.cuStreamSynchronize(rt.cudaEvent_t(0x55))
    except TypeError:
        pass
    else:
        raise AssertionError("an event is not a stream")

    # cuMemRangeGetAttribute(dataSize, attribute, devPtr, count): NVIDIA's signature, the value back
    # (an int, a list for ACCESSED_BY); the stand-in writes nothing, so the values are zero
    A = cu.CUmem_range_attribute
    assert cu.cuMemRangeGetAttribute(4, A.CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, 0, 64) == (cu.CUresult.CUDA_SUCCESS, 0)
    assert cu.cuMemRangeGetAttribute(12, A.CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY, 0, 64) == (cu.CUresult.CUDA_SUCCESS,
                                                                                        [0, 0, 0])
    # cuCoredumpGetAttribute(attrib): the value in the attribute's type, as NVIDIA's return it
    S = cu.CUcoredumpSettings
    for get in (cu.cuCoredumpGetAttribute, cu.cuCoredumpGetAttributeGlobal):
        assert get(S.CU_COREDUMP_ENABLE_ON_EXCEPTION) == (cu.CUresult.CUDA_SUCCESS, False)
        assert get(S.CU_COREDUMP_FILE) == (cu.CUresult.CUDA_SUCCESS, b"")
        assert get(S.CU_COREDUMP_GENERATION_FLAGS) == (cu.CUresult.CUDA_SUCCESS, 0)
    # a function-pointer object wrapping the storage of a ctypes function (NVIDIA's test pattern)
    got = []
    c_fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(lambda data: got.append(data))
    data = ctypes.c_int(5)
    fn = cu.CUhostFn(_ptr=ctypes.addressof(c_fn))
    assert int(fn) == ctypes.cast(c_fn, ctypes.c_void_p).value
    assert cu.cuLaunchHostFunc(cu.CUstream(1), fn, ctypes.addressof(data)) == (cu.CUresult.CUDA_SUCCESS,)
    assert got == [ctypes.addressof(data)]
    print("OK")
    """
)


@pytest.fixture(scope="module")
def stand_in_driver(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    tmp_path = tmp_path_factory.mktemp("fake_cuda")
    (tmp_path / "fake.c").write_text(FAKE_DRIVER)
    lib = tmp_path / "libcuda.so.1"
    subprocess.run([cc, "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1", "-o", str(lib), str(tmp_path / "fake.c")],
                   check=True)  # fmt: skip
    return dict(os.environ, LD_LIBRARY_PATH=str(tmp_path))


@pytest.mark.parametrize(
    "script",
    [
        CHILD,
        STREAM_CALLBACKS,
        # the stand-in's graph calls have 13.x's parameters (dependency edge data)
        pytest.param(HOST_NODES, marks=pytest.mark.skipif(MAJOR < 13, reason="13.x's cuGraphAddNode")),
        GRAPHICS_INTEROP,
        LINKER,
        INPUTS,
    ],
    ids=["launch", "stream", "graph", "interop", "linker", "inputs"],
)
def test_on_a_stand_in_driver(stand_in_driver, script):
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=stand_in_driver)
    assert out.returncode == 0 and out.stdout.strip() == "OK", out.stdout + out.stderr
    assert out.stderr == "", out.stderr  # exceptions went to the hook, once, and nothing else was printed
