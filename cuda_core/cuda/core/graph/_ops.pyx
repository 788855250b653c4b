# SPDX-License-Identifier: Apache-2.0
"""The driver calls behind cuda.core.graph, on raw handles (Python ints).

The Python classes of the package (GraphDefinition, the node kinds, the executable views) keep
their state and their rules; every CUDA call they make is here, in C, so that a graph of
thousands of nodes is built without a Python binding call per node. Handles cross this module's
boundary as ints: 0 is NULL.

Objects a graph needs alive while it can run (kernel-argument owners, Python callbacks, events,
buffers) are handed to the driver as CUDA user objects (retain()): the graph, its clones and
every executable graph instantiated from it then hold a reference, and the last of them to go
drops it, on the main thread (see below); once the interpreter is shutting down, never.
"""

from libc.stdint cimport uint64_t, uintptr_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

from cpython.pythread cimport (
    WAIT_LOCK,
    PyThread_acquire_lock,
    PyThread_allocate_lock,
    PyThread_release_lock,
    PyThread_type_lock,
)
from cpython.ref cimport Py_DECREF, Py_INCREF

from cuda.bindings cimport cydriver

include "cuda/core/_cuda_line.pxi"  # calls and values that differ between the toolkit lines
from cuda.core._errors cimport check
from cuda.core._launch cimport LaunchConfig, pack_arguments
from cuda.core._module cimport Kernel

import atexit

ctypedef cydriver.CUgraphNode Node
ctypedef cydriver.CUgraph Graph_t

DEF STACK_NODES = 16
# CU_GRAPH_COND_ASSIGN_DEFAULT (a #define in cuda.h): set the default value at each launch.
DEF COND_ASSIGN_DEFAULT = 1

cdef bint _finalizing = False


def _mark_finalizing():
    global _finalizing
    _finalizing = True


atexit.register(_mark_finalizing)


# ---- keeping Python objects alive for a graph's lifetime
#
# The driver calls a user object's destructor when the last graph holding it goes, maybe on
# one of its own threads, maybe inside cuGraphDestroy. Neither may call CUDA, and dropping a
# Buffer or an Event does. So the destructor only queues the object (a lock-protected C list,
# no GIL needed) and asks CPython to drain the queue on the main thread (Py_AddPendingCall);
# if CPython's queue of pending calls is full, the next retain() drains it instead.

cdef extern from "Python.h":
    int Py_AddPendingCall(int (*func)(void*) noexcept, void* arg) nogil

cdef struct Dropped:
    void* obj
    Dropped* next

cdef PyThread_type_lock _lock = PyThread_allocate_lock()
cdef Dropped* _queue = NULL


cdef int _drain(void* unused) noexcept with gil:
    global _queue
    cdef Dropped* item
    cdef Dropped* nxt
    PyThread_acquire_lock(_lock, WAIT_LOCK)
    item = _queue
    _queue = NULL
    PyThread_release_lock(_lock)
    while item != NULL:
        nxt = item.next
        if not _finalizing:
            Py_DECREF(<object>item.obj)
        free(item)
        item = nxt
    return 0


cdef void _drop(void* obj) noexcept nogil:
    global _queue
    cdef Dropped* item
    if _finalizing:
        return  # the interpreter is going away: the object goes with it
    item = <Dropped*>malloc(sizeof(Dropped))
    if item == NULL:
        return  # out of memory: leak the object rather than touch Python here
    item.obj = obj
    PyThread_acquire_lock(_lock, WAIT_LOCK)
    item.next = _queue
    _queue = item
    PyThread_release_lock(_lock)
    Py_AddPendingCall(_drain, NULL)  # -1 (queue full): the next retain() drains


def retain(uintptr_t graph, obj):
    """Make ``graph`` (and its clones and executable graphs) hold a reference to ``obj``; returns
    the user object, which release() lets go of."""
    cdef cydriver.CUuserObject uo = NULL
    cdef cydriver.CUresult err
    if _queue != NULL:
        _drain(NULL)
    Py_INCREF(obj)
    err = cydriver.cuUserObjectCreate(&uo, <void*>obj, _drop, 1, cydriver.CU_USER_OBJECT_NO_DESTRUCTOR_SYNC)
    if err != cydriver.CUDA_SUCCESS:
        Py_DECREF(obj)
        check(err)
    # MOVE: the graph takes over the reference the user object was created with.
    check(cydriver.cuGraphRetainUserObject(<Graph_t>graph, uo, 1, cydriver.CU_GRAPH_USER_OBJECT_MOVE))
    return <uintptr_t>uo


def release(uintptr_t graph, uintptr_t uo):
    """Let ``graph`` go of its reference to a user object of retain() (a node of it was destroyed).
    Its clones and executable graphs keep theirs: they hold the object until they are gone."""
    check(cydriver.cuGraphReleaseUserObject(<Graph_t>graph, <cydriver.CUuserObject>uo, 1))


def drain_released():
    """Drop now the objects graphs have let go of (tests; normally CPython's pending calls do)."""
    _drain(NULL)


# ---- node lists in and out

cdef class _Nodes:
    """A C array of CUgraphNode made from a list of ints (stack storage for short lists)."""

    cdef Node stack[STACK_NODES]
    cdef Node* ptr
    cdef size_t n

    def __cinit__(self, list handles):
        cdef size_t i
        self.n = len(handles)
        self.ptr = self.stack
        if self.n > STACK_NODES:
            self.ptr = <Node*>malloc(self.n * sizeof(Node))
            if self.ptr == NULL:
                raise MemoryError()
        for i in range(self.n):
            self.ptr[i] = <Node><uintptr_t>handles[i]

    def __dealloc__(self):
        if self.ptr != self.stack:
            free(self.ptr)


cdef list _to_list(Node* nodes, size_t n):
    return [<uintptr_t>nodes[i] for i in range(n)]


cdef Node* _alloc_nodes(size_t n) except NULL:
    cdef Node* p = <Node*>malloc(n * sizeof(Node))  # n > 0: callers return early for none
    if p == NULL:
        raise MemoryError()
    return p


def graph_create():
    cdef Graph_t g = NULL
    check(cydriver.cuGraphCreate(&g, 0))
    return <uintptr_t>g


def graph_destroy(uintptr_t g):
    check(cydriver.cuGraphDestroy(<Graph_t>g))


def graph_nodes(uintptr_t g):
    cdef size_t n = 0
    cdef Node* nodes
    check(cydriver.cuGraphGetNodes(<Graph_t>g, NULL, &n))
    if n == 0:  # the driver refuses arrays with a count of 0 (CUDA_ERROR_INVALID_VALUE, driver 580)
        return []
    nodes = _alloc_nodes(n)
    try:
        check(cydriver.cuGraphGetNodes(<Graph_t>g, nodes, &n))
        return _to_list(nodes, n)
    finally:
        free(nodes)


def graph_edges(uintptr_t g):
    """(from, to) pairs of every edge of ``g``."""
    cdef size_t n = 0, i
    cdef Node* src
    cdef Node* dst
    cdef cydriver.CUgraphEdgeData* data
    check(line_graph_get_edges(<Graph_t>g, NULL, NULL, NULL, &n))
    if n == 0:  # as in graph_nodes
        return []
    src = _alloc_nodes(n)
    dst = _alloc_nodes(n)
    data = <cydriver.CUgraphEdgeData*>malloc(n * sizeof(cydriver.CUgraphEdgeData))
    try:
        if data == NULL:
            raise MemoryError()
        check(line_graph_get_edges(<Graph_t>g, src, dst, data, &n))
        return [(<uintptr_t>src[i], <uintptr_t>dst[i]) for i in range(n)]
    finally:
        free(src)
        free(dst)
        free(data)


def node_neighbours(uintptr_t node, bint successors):
    """The nodes ``node`` depends on (successors False) or that depend on it (True)."""
    cdef size_t n = 0
    cdef Node* nodes
    cdef cydriver.CUgraphEdgeData* data
    if successors:
        check(line_node_dependents(<Node>node, NULL, NULL, &n))
    else:
        check(line_node_dependencies(<Node>node, NULL, NULL, &n))
    if n == 0:  # as in graph_nodes
        return []
    nodes = _alloc_nodes(n)
    data = <cydriver.CUgraphEdgeData*>malloc(n * sizeof(cydriver.CUgraphEdgeData))
    try:
        if data == NULL:
            raise MemoryError()
        if successors:
            check(line_node_dependents(<Node>node, nodes, data, &n))
        else:
            check(line_node_dependencies(<Node>node, nodes, data, &n))
        return _to_list(nodes, n)
    finally:
        free(nodes)
        free(data)


def edges_add(uintptr_t g, list froms, list tos):
    cdef _Nodes a = _Nodes(froms), b = _Nodes(tos)
    if a.n:
        check(line_add_dependencies(<Graph_t>g, a.ptr, b.ptr, NULL, a.n))


def edges_remove(uintptr_t g, list froms, list tos):
    cdef _Nodes a = _Nodes(froms), b = _Nodes(tos)
    if a.n:
        check(line_remove_dependencies(<Graph_t>g, a.ptr, b.ptr, NULL, a.n))


def node_destroy(uintptr_t node):
    check(cydriver.cuGraphDestroyNode(<Node>node))


def node_type(uintptr_t node):
    cdef cydriver.CUgraphNodeType t
    check(cydriver.cuGraphNodeGetType(<Node>node, &t))
    return <int>t


def debug_dot_print(uintptr_t g, str path, unsigned int flags):
    cdef bytes p = path.encode()
    check(cydriver.cuGraphDebugDotPrint(<Graph_t>g, p, flags))


def instantiate(uintptr_t g, unsigned long long flags, uintptr_t upload_stream):
    cdef cydriver.CUgraphExec e = NULL
    cdef cydriver.CUDA_GRAPH_INSTANTIATE_PARAMS p
    memset(&p, 0, sizeof(p))
    p.flags = flags
    p.hUploadStream = <cydriver.CUstream>upload_stream
    with nogil:
        check(cydriver.cuGraphInstantiateWithParams(&e, <Graph_t>g, &p))
    return <uintptr_t>e


cdef cydriver.CUcontext _current_context() except? NULL:
    cdef cydriver.CUcontext ctx = NULL
    check(cydriver.cuCtxGetCurrent(&ctx))
    if ctx == NULL:
        check(cydriver.CUDA_ERROR_INVALID_CONTEXT)  # no current context: Device.set_current() first
    return ctx


def current_context():
    return <uintptr_t>_current_context()


# ---- adding nodes: each takes the graph and a list of dependencies, returns the new node

def add_empty(uintptr_t g, list deps):
    cdef Node out = NULL
    cdef _Nodes d = _Nodes(deps)
    check(cydriver.cuGraphAddEmptyNode(&out, <Graph_t>g, d.ptr, d.n))
    return <uintptr_t>out


cdef int _kernel_params(cydriver.CUDA_KERNEL_NODE_PARAMS* p, object config, object kernel) except -1:
    cdef LaunchConfig c = <LaunchConfig?>config
    cdef Kernel k = <Kernel?>kernel
    if k._handle == NULL:
        raise RuntimeError("the kernel is not loaded")
    memset(p, 0, sizeof(p[0]))
    p.kern = k._handle
    p.gridDimX = c._cfg.gridDimX
    p.gridDimY = c._cfg.gridDimY
    p.gridDimZ = c._cfg.gridDimZ
    p.blockDimX = c._cfg.blockDimX
    p.blockDimY = c._cfg.blockDimY
    p.blockDimZ = c._cfg.blockDimZ
    p.sharedMemBytes = c._cfg.sharedMemBytes
    return 0


cdef class _Packed:
    """Kernel arguments packed as launch() packs them, alive as long as this object."""

    cdef uint64_t* slots
    cdef void** ptrs
    cdef tuple args

    def __cinit__(self, tuple args):
        cdef Py_ssize_t n = len(args)
        self.args = args
        self.slots = <uint64_t*>malloc((n if n else 1) * sizeof(uint64_t))
        self.ptrs = <void**>malloc((n if n else 1) * sizeof(void*))
        if self.slots == NULL or self.ptrs == NULL:
            raise MemoryError()
        pack_arguments(args, self.slots, self.ptrs)

    def __dealloc__(self):
        free(self.slots)
        free(self.ptrs)


def add_kernel(uintptr_t g, list deps, config, kernel, tuple args):
    cdef cydriver.CUDA_KERNEL_NODE_PARAMS p
    cdef Node out = NULL
    cdef _Nodes d = _Nodes(deps)
    cdef _Packed a = _Packed(args)
    _kernel_params(&p, config, kernel)
    p.kernelParams = a.ptrs if len(args) else NULL
    with nogil:  # the driver copies the argument values
        check(cydriver.cuGraphAddKernelNode(&out, <Graph_t>g, d.ptr, d.n, &p))
    return <uintptr_t>out


def set_kernel(uintptr_t exec_graph, uintptr_t node, config, kernel, tuple args):
    """New launch parameters for a kernel node (exec_graph 0: in its graph definition)."""
    cdef cydriver.CUDA_KERNEL_NODE_PARAMS p
    cdef _Packed a = _Packed(args)
    _kernel_params(&p, config, kernel)
    p.kernelParams = a.ptrs if len(args) else NULL
    with nogil:
        if exec_graph:
            check(cydriver.cuGraphExecKernelNodeSetParams(<cydriver.CUgraphExec>exec_graph, <Node>node, &p))
        else:
            check(cydriver.cuGraphKernelNodeSetParams(<Node>node, &p))


def set_kernel_config(uintptr_t node, config):
    """New grid, block and shared memory size for a kernel node, its function and arguments kept."""
    cdef cydriver.CUDA_KERNEL_NODE_PARAMS p
    cdef LaunchConfig c = <LaunchConfig?>config
    memset(&p, 0, sizeof(p))
    check(cydriver.cuGraphKernelNodeGetParams(<Node>node, &p))
    p.gridDimX = c._cfg.gridDimX
    p.gridDimY = c._cfg.gridDimY
    p.gridDimZ = c._cfg.gridDimZ
    p.blockDimX = c._cfg.blockDimX
    p.blockDimY = c._cfg.blockDimY
    p.blockDimZ = c._cfg.blockDimZ
    p.sharedMemBytes = c._cfg.sharedMemBytes
    check(cydriver.cuGraphKernelNodeSetParams(<Node>node, &p))


def kernel_params(uintptr_t node):
    """(grid, block, shared memory bytes, CUkernel or CUfunction) of a kernel node."""
    cdef cydriver.CUDA_KERNEL_NODE_PARAMS p
    memset(&p, 0, sizeof(p))
    check(cydriver.cuGraphKernelNodeGetParams(<Node>node, &p))
    fn = <uintptr_t>p.kern if p.kern != NULL else <uintptr_t>p.func
    return ((p.gridDimX, p.gridDimY, p.gridDimZ), (p.blockDimX, p.blockDimY, p.blockDimZ), p.sharedMemBytes, fn)


cdef void _copy_params(cydriver.CUDA_MEMCPY3D* p, uintptr_t dst, uintptr_t src, size_t size):
    memset(p, 0, sizeof(p[0]))
    p.srcMemoryType = cydriver.CU_MEMORYTYPE_UNIFIED  # unified addressing: the driver finds where
    p.srcDevice = <cydriver.CUdeviceptr>src
    p.dstMemoryType = cydriver.CU_MEMORYTYPE_UNIFIED
    p.dstDevice = <cydriver.CUdeviceptr>dst
    p.WidthInBytes = size
    p.Height = 1
    p.Depth = 1


def add_memcpy(uintptr_t g, list deps, uintptr_t dst, uintptr_t src, size_t size):
    cdef cydriver.CUDA_MEMCPY3D p
    cdef Node out = NULL
    cdef _Nodes d = _Nodes(deps)
    cdef cydriver.CUcontext ctx = _current_context()
    _copy_params(&p, dst, src, size)
    check(cydriver.cuGraphAddMemcpyNode(&out, <Graph_t>g, d.ptr, d.n, &p, ctx))
    return <uintptr_t>out


def set_memcpy(uintptr_t exec_graph, uintptr_t node, uintptr_t dst, uintptr_t src, size_t size):
    cdef cydriver.CUDA_MEMCPY3D p
    _copy_params(&p, dst, src, size)
    if exec_graph:
        check(cydriver.cuGraphExecMemcpyNodeSetParams(<cydriver.CUgraphExec>exec_graph, <Node>node, &p,
                                                      _current_context()))
    else:
        check(cydriver.cuGraphMemcpyNodeSetParams(<Node>node, &p))


def memcpy_params(uintptr_t node):
    """(dst, src, bytes, whether it is a plain 1-D copy between addresses) of a memcpy node."""
    cdef cydriver.CUDA_MEMCPY3D p
    memset(&p, 0, sizeof(p))
    check(cydriver.cuGraphMemcpyNodeGetParams(<Node>node, &p))
    dst = <uintptr_t>p.dstHost if p.dstMemoryType == cydriver.CU_MEMORYTYPE_HOST else <uintptr_t>p.dstDevice
    src = <uintptr_t>p.srcHost if p.srcMemoryType == cydriver.CU_MEMORYTYPE_HOST else <uintptr_t>p.srcDevice
    plain = (p.Height <= 1 and p.Depth <= 1 and p.srcXInBytes == 0 and p.srcY == 0 and p.srcZ == 0
             and p.dstXInBytes == 0 and p.dstY == 0 and p.dstZ == 0
             and p.srcMemoryType != cydriver.CU_MEMORYTYPE_ARRAY and p.dstMemoryType != cydriver.CU_MEMORYTYPE_ARRAY)
    return dst, src, p.WidthInBytes * max(p.Height, 1) * max(p.Depth, 1), plain


cdef void _set_params(cydriver.CUDA_MEMSET_NODE_PARAMS* p, uintptr_t dst, unsigned int value,
                      unsigned int element_size, size_t width, size_t height, size_t pitch):
    memset(p, 0, sizeof(p[0]))
    p.dst = <cydriver.CUdeviceptr>dst
    p.value = value
    p.elementSize = element_size
    p.width = width
    p.height = height
    p.pitch = pitch


def add_memset(uintptr_t g, list deps, uintptr_t dst, unsigned int value, unsigned int element_size,
               size_t width, size_t height, size_t pitch):
    cdef cydriver.CUDA_MEMSET_NODE_PARAMS p
    cdef Node out = NULL
    cdef _Nodes d = _Nodes(deps)
    cdef cydriver.CUcontext ctx = _current_context()
    _set_params(&p, dst, value, element_size, width, height, pitch)
    check(cydriver.cuGraphAddMemsetNode(&out, <Graph_t>g, d.ptr, d.n, &p, ctx))
    return <uintptr_t>out


def set_memset(uintptr_t exec_graph, uintptr_t node, uintptr_t dst, unsigned int value,
               unsigned int element_size, size_t width, size_t height, size_t pitch):
    cdef cydriver.CUDA_MEMSET_NODE_PARAMS p
    _set_params(&p, dst, value, element_size, width, height, pitch)
    if exec_graph:
        check(cydriver.cuGraphExecMemsetNodeSetParams(<cydriver.CUgraphExec>exec_graph, <Node>node, &p,
                                                      _current_context()))
    else:
        check(cydriver.cuGraphMemsetNodeSetParams(<Node>node, &p))


def memset_params(uintptr_t node):
    """(dst, value, element size, width, height, pitch) of a memset node."""
    cdef cydriver.CUDA_MEMSET_NODE_PARAMS p
    memset(&p, 0, sizeof(p))
    check(cydriver.cuGraphMemsetNodeGetParams(<Node>node, &p))
    return <uintptr_t>p.dst, p.value, p.elementSize, p.width, p.height, p.pitch


# ---- host callbacks

cdef void _call_python(void* fn) noexcept with gil:
    if _finalizing:
        return
    try:
        (<object>fn)()
    except BaseException as exc:  # nowhere to raise to: report it as Python reports such errors
        import sys

        sys.unraisablehook(_Unraisable(exc, <object>fn))


class _Unraisable:
    """What sys.unraisablehook expects: an exception raised where nobody can catch it."""

    def __init__(self, exc, fn):
        self.exc_type = type(exc)
        self.exc_value = exc
        self.exc_traceback = exc.__traceback__
        self.err_msg = "Exception ignored in a CUDA graph host callback"
        self.object = fn


def python_callback():
    """The address of the C function that calls the Python callable its user data points at."""
    return <uintptr_t>_call_python


def add_host(uintptr_t g, list deps, uintptr_t fn, uintptr_t user_data):
    cdef cydriver.CUDA_HOST_NODE_PARAMS p
    cdef Node out = NULL
    cdef _Nodes d = _Nodes(deps)
    p.fn = <cydriver.CUhostFn>fn
    p.userData = <void*>user_data
    check(cydriver.cuGraphAddHostNode(&out, <Graph_t>g, d.ptr, d.n, &p))
    return <uintptr_t>out


def set_host(uintptr_t exec_graph, uintptr_t node, uintptr_t fn, uintptr_t user_data):
    cdef cydriver.CUDA_HOST_NODE_PARAMS p
    p.fn = <cydriver.CUhostFn>fn
    p.userData = <void*>user_data
    if exec_graph:
        check(cydriver.cuGraphExecHostNodeSetParams(<cydriver.CUgraphExec>exec_graph, <Node>node, &p))
    else:
        check(cydriver.cuGraphHostNodeSetParams(<Node>node, &p))


def host_params(uintptr_t node):
    cdef cydriver.CUDA_HOST_NODE_PARAMS p
    check(cydriver.cuGraphHostNodeGetParams(<Node>node, &p))
    return <uintptr_t>p.fn, <uintptr_t>p.userData


def python_callback_of(uintptr_t node):
    """The Python callable a host node calls (None for any other host function)."""
    cdef cydriver.CUDA_HOST_NODE_PARAMS p
    check(cydriver.cuGraphHostNodeGetParams(<Node>node, &p))
    if p.fn != <cydriver.CUhostFn>_call_python or p.userData == NULL:
        return None
    return <object>p.userData  # alive: the graph holds it (retain())


def launch_host_func(uintptr_t stream, uintptr_t fn, uintptr_t user_data):
    """cuLaunchHostFunc: a host callback on a stream (a host node when the stream is capturing)."""
    check(cydriver.cuLaunchHostFunc(<cydriver.CUstream>stream, <cydriver.CUhostFn>fn, <void*>user_data))


# ---- child graphs, events, memory nodes

def add_child(uintptr_t g, list deps, uintptr_t child):
    cdef Node out = NULL
    cdef _Nodes d = _Nodes(deps)
    check(cydriver.cuGraphAddChildGraphNode(&out, <Graph_t>g, d.ptr, d.n, <Graph_t>child))
    return <uintptr_t>out


def child_graph(uintptr_t node):
    cdef Graph_t out = NULL
    check(cydriver.cuGraphChildGraphNodeGetGraph(<Node>node, &out))
    return <uintptr_t>out


def find_in_clone(uintptr_t node, uintptr_t clone):
    """The node of ``clone`` (a copy the driver made of ``node``'s graph) that copies ``node``."""
    cdef Node out = NULL
    check(cydriver.cuGraphNodeFindInClone(&out, <Node>node, <Graph_t>clone))
    return <uintptr_t>out


def set_child(uintptr_t exec_graph, uintptr_t node, uintptr_t child):
    """Give a child graph node the nodes' parameters of ``child`` (same topology)."""
    cdef cydriver.CUgraphNodeParams p
    if exec_graph:
        check(cydriver.cuGraphExecChildGraphNodeSetParams(<cydriver.CUgraphExec>exec_graph, <Node>node,
                                                          <Graph_t>child))
        return
    memset(&p, 0, sizeof(p))
    p.type = cydriver.CU_GRAPH_NODE_TYPE_GRAPH
    p.graph.graph = <Graph_t>child
    check(cydriver.cuGraphNodeSetParams(<Node>node, &p))


def add_event(uintptr_t g, list deps, uintptr_t event, bint record):
    cdef Node out = NULL
    cdef _Nodes d = _Nodes(deps)
    if record:
        check(cydriver.cuGraphAddEventRecordNode(&out, <Graph_t>g, d.ptr, d.n, <cydriver.CUevent>event))
    else:
        check(cydriver.cuGraphAddEventWaitNode(&out, <Graph_t>g, d.ptr, d.n, <cydriver.CUevent>event))
    return <uintptr_t>out


def set_event(uintptr_t exec_graph, uintptr_t node, uintptr_t event, bint record):
    cdef cydriver.CUevent ev = <cydriver.CUevent>event
    cdef cydriver.CUgraphExec e = <cydriver.CUgraphExec>exec_graph
    if exec_graph and record:
        check(cydriver.cuGraphExecEventRecordNodeSetEvent(e, <Node>node, ev))
    elif exec_graph:
        check(cydriver.cuGraphExecEventWaitNodeSetEvent(e, <Node>node, ev))
    elif record:
        check(cydriver.cuGraphEventRecordNodeSetEvent(<Node>node, ev))
    else:
        check(cydriver.cuGraphEventWaitNodeSetEvent(<Node>node, ev))


def event_of(uintptr_t node, bint record):
    cdef cydriver.CUevent ev = NULL
    if record:
        check(cydriver.cuGraphEventRecordNodeGetEvent(<Node>node, &ev))
    else:
        check(cydriver.cuGraphEventWaitNodeGetEvent(<Node>node, &ev))
    return <uintptr_t>ev


# memory_type: 0 device, 1 host, 2 managed (GraphMemoryType, in that order)
def add_alloc(uintptr_t g, list deps, size_t size, int device, int memory_type, list peers):
    """An allocation node; returns (node, device pointer)."""
    cdef cydriver.CUDA_MEM_ALLOC_NODE_PARAMS p
    cdef cydriver.CUmemAccessDesc* access = NULL
    cdef Node out = NULL
    cdef _Nodes d = _Nodes(deps)
    cdef size_t i, n = len(peers)
    memset(&p, 0, sizeof(p))
    p.bytesize = size
    p.poolProps.handleTypes = cydriver.CU_MEM_HANDLE_TYPE_NONE
    if memory_type == 2:
        p.poolProps.allocType = <cydriver.CUmemAllocationType>LINE_MEM_ALLOCATION_TYPE_MANAGED
    else:
        p.poolProps.allocType = cydriver.CU_MEM_ALLOCATION_TYPE_PINNED
    if memory_type == 1:
        p.poolProps.location.type = cydriver.CU_MEM_LOCATION_TYPE_HOST
        p.poolProps.location.id = 0
    else:
        p.poolProps.location.type = cydriver.CU_MEM_LOCATION_TYPE_DEVICE
        p.poolProps.location.id = device
    if n:
        access = <cydriver.CUmemAccessDesc*>malloc(n * sizeof(cydriver.CUmemAccessDesc))
        if access == NULL:
            raise MemoryError()
        for i in range(n):
            memset(&access[i], 0, sizeof(access[i]))
            access[i].location.type = cydriver.CU_MEM_LOCATION_TYPE_DEVICE
            access[i].location.id = <int>peers[i]
            access[i].flags = cydriver.CU_MEM_ACCESS_FLAGS_PROT_READWRITE
    p.accessDescs = access
    p.accessDescCount = n
    try:
        check(cydriver.cuGraphAddMemAllocNode(&out, <Graph_t>g, d.ptr, d.n, &p))
    finally:
        free(access)
    return <uintptr_t>out, <uintptr_t>p.dptr


def alloc_params(uintptr_t node):
    """(dptr, bytesize, device ordinal, memory type as add_alloc numbers it, peer ordinals)."""
    cdef cydriver.CUDA_MEM_ALLOC_NODE_PARAMS p
    memset(&p, 0, sizeof(p))
    check(cydriver.cuGraphMemAllocNodeGetParams(<Node>node, &p))
    kind = 0
    if p.poolProps.allocType == <cydriver.CUmemAllocationType>LINE_MEM_ALLOCATION_TYPE_MANAGED:
        kind = 2
    elif p.poolProps.location.type != cydriver.CU_MEM_LOCATION_TYPE_DEVICE:
        kind = 1
    peers = tuple(p.accessDescs[i].location.id for i in range(p.accessDescCount))
    return <uintptr_t>p.dptr, p.bytesize, p.poolProps.location.id, kind, peers


def add_free(uintptr_t g, list deps, uintptr_t dptr):
    cdef Node out = NULL
    cdef _Nodes d = _Nodes(deps)
    check(cydriver.cuGraphAddMemFreeNode(&out, <Graph_t>g, d.ptr, d.n, <cydriver.CUdeviceptr>dptr))
    return <uintptr_t>out


def free_params(uintptr_t node):
    cdef cydriver.CUdeviceptr p = 0
    check(cydriver.cuGraphMemFreeNodeGetParams(<Node>node, &p))
    return <uintptr_t>p


# ---- conditionals

def condition_create(uintptr_t g, default_value):
    cdef cydriver.CUgraphConditionalHandle h = 0
    cdef unsigned int value = 0 if default_value is None else default_value
    cdef unsigned int flags = 0 if default_value is None else COND_ASSIGN_DEFAULT
    check(cydriver.cuGraphConditionalHandleCreate(&h, <Graph_t>g, _current_context(), value, flags))
    return <uint64_t>h


# kind: 0 if, 1 while, 2 switch (CUgraphConditionalNodeType)
def add_conditional(uintptr_t g, list deps, uint64_t handle, int kind, unsigned int size):
    """A conditional node; returns (node, [body graph of each branch])."""
    cdef cydriver.CUgraphNodeParams p
    cdef Node out = NULL
    cdef _Nodes d = _Nodes(deps)
    memset(&p, 0, sizeof(p))
    p.type = cydriver.CU_GRAPH_NODE_TYPE_CONDITIONAL
    p.conditional.handle = handle
    p.conditional.type = <cydriver.CUgraphConditionalNodeType>kind
    p.conditional.size = size
    p.conditional.ctx = _current_context()
    check(line_graph_add_node(&out, <Graph_t>g, d.ptr, NULL, d.n, &p))
    return <uintptr_t>out, [<uintptr_t>p.conditional.phGraph_out[i] for i in range(size)]


def conditional_params(uintptr_t node):
    """(handle, kind, [bodies]) of a conditional node, or None where the driver cannot say: only
    cuGraphNodeGetParams (CUDA 13.2 drivers) reads them back."""
    cdef cydriver.CUgraphNodeParams p
    cdef cydriver.CUresult err
    memset(&p, 0, sizeof(p))
    try:
        err = line_node_get_params(<Node>node, &p)
    except Exception:  # FunctionNotFoundError: a driver older than 13.2
        return None
    if err != cydriver.CUDA_SUCCESS or p.type != cydriver.CU_GRAPH_NODE_TYPE_CONDITIONAL:
        return None
    if p.conditional.phGraph_out == NULL:
        return <uint64_t>p.conditional.handle, <int>p.conditional.type, []
    return (<uint64_t>p.conditional.handle, <int>p.conditional.type,
            [<uintptr_t>p.conditional.phGraph_out[i] for i in range(p.conditional.size)])


def memory_letter(uintptr_t ptr):
    """"H" for host memory, "D" for device (or managed) memory, as reprs show an address."""
    cdef unsigned int kind = 0
    if cydriver.cuPointerGetAttribute(&kind, cydriver.CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                      <cydriver.CUdeviceptr>ptr) != cydriver.CUDA_SUCCESS:
        return "H"  # not known to CUDA: ordinary host memory
    return "H" if kind == cydriver.CU_MEMORYTYPE_HOST else "D"


# ---- executable graphs

def exec_set_enabled(uintptr_t exec_graph, uintptr_t node, bint enabled):
    check(cydriver.cuGraphNodeSetEnabled(<cydriver.CUgraphExec>exec_graph, <Node>node, enabled))


def exec_is_enabled(uintptr_t exec_graph, uintptr_t node):
    cdef unsigned int on = 0
    check(cydriver.cuGraphNodeGetEnabled(<cydriver.CUgraphExec>exec_graph, <Node>node, &on))
    return bool(on)


# ---- stream capture (GraphBuilder)

def capture_info(uintptr_t stream):
    """(graph, [dependencies]) of a capturing stream; RuntimeError when it is not capturing."""
    cdef cydriver.CUstreamCaptureStatus status
    cdef cydriver.cuuint64_t ident = 0
    cdef Graph_t g = NULL
    cdef const Node* deps = NULL
    cdef const cydriver.CUgraphEdgeData* data = NULL
    cdef size_t n = 0
    check(line_stream_capture_info(<cydriver.CUstream>stream, &status, &ident, &g, &deps, &data, &n))
    if status != cydriver.CU_STREAM_CAPTURE_STATUS_ACTIVE:
        raise RuntimeError("the graph builder is not building: call begin_building() first")
    return <uintptr_t>g, [<uintptr_t>deps[i] for i in range(n)]


def capture_set_dependencies(uintptr_t stream, list nodes):
    """Make later captured work on ``stream`` depend on ``nodes`` only."""
    cdef _Nodes d = _Nodes(nodes)
    check(line_update_capture_dependencies(<cydriver.CUstream>stream, d.ptr, NULL, d.n,
                                           cydriver.CU_STREAM_SET_CAPTURE_DEPENDENCIES))


def capture_to_graph(uintptr_t stream, uintptr_t g, int mode):
    """Start capturing ``stream`` into the existing graph ``g`` (a conditional body)."""
    check(cydriver.cuStreamBeginCaptureToGraph(<cydriver.CUstream>stream, <Graph_t>g, NULL, NULL, 0,
                                               <cydriver.CUstreamCaptureMode>mode))
