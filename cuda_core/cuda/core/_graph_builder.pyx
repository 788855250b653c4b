# SPDX-License-Identifier: Apache-2.0
"""A minimal GraphBuilder: CUDA graphs recorded by stream capture.

GraphBuilder wraps a stream; begin_building() starts capturing the work queued on it
(launches, copies, event records...), end_building() stops, complete() instantiates the
captured graph into a Graph that launch(stream) replays and update(builder) gives new
parameters. The full graph API of NVIDIA's
cuda.core.graph (explicit nodes, conditionals, split/join) is not part of this module.
"""

from libc.stdint cimport uintptr_t

from cuda.bindings cimport cydriver
from cuda.core._errors cimport check
from cuda.core._stream cimport Stream, stream_handle

_MODES = {
    "global": cydriver.CU_STREAM_CAPTURE_MODE_GLOBAL,
    "thread_local": cydriver.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL,
    "relaxed": cydriver.CU_STREAM_CAPTURE_MODE_RELAXED,
}


cdef class Graph:
    """An executable graph (cuGraphInstantiate of a captured graph)."""

    cdef cydriver.CUgraphExec _exec
    cdef object __weakref__

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Graph objects cannot be instantiated directly. Use GraphBuilder.complete().")

    def __dealloc__(self):
        if self._exec != NULL:
            try:
                cydriver.cuGraphExecDestroy(self._exec)
            except BaseException:
                pass

    def close(self):
        cdef cydriver.CUgraphExec e = self._exec
        self._exec = NULL
        if e != NULL:
            check(cydriver.cuGraphExecDestroy(e))

    @property
    def is_closed(self):
        return self._exec == NULL

    @property
    def handle(self):
        from cuda.bindings.driver import CUgraphExec

        return CUgraphExec(<uintptr_t>self._exec)

    cdef int _live(self) except -1:
        if self._exec == NULL:
            raise RuntimeError("the graph is closed")
        return 0

    def upload(self, stream):
        """Upload the graph's resources to the device, ordered on ``stream``."""
        cdef cydriver.CUstream h
        self._live()
        stream_handle(stream, &h)
        with nogil:
            check(cydriver.cuGraphUpload(self._exec, h))

    def update(self, source):
        """Give this executable graph the parameters of ``source`` (a GraphBuilder that has ended
        building a graph of the same shape: same nodes and edges, other arguments), without a
        new instantiation (cuGraphExecUpdate). A CUDAError names why a graph cannot be updated."""
        cdef cydriver.CUgraphExecUpdateResultInfo info
        cdef cydriver.CUresult err
        cdef cydriver.CUgraph g
        self._live()
        if not isinstance(source, GraphBuilder):
            raise TypeError(f"source must be a GraphBuilder, not {type(source).__name__}")
        if (<GraphBuilder>source)._building:
            raise RuntimeError("call end_building() on the source before update()")
        g = (<GraphBuilder>source)._graph
        if g == NULL:
            raise RuntimeError("the source holds no graph: call begin_building() and end_building() first")
        with nogil:
            err = cydriver.cuGraphExecUpdate(self._exec, g, &info)
        if err == cydriver.CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE:
            from cuda.bindings.driver import CUgraphExecUpdateResult

            from cuda.core._errors import driver_error

            reason = CUgraphExecUpdateResult(<int>info.result).name
            exc = driver_error(<int>err)
            exc.args = (f"{exc.args[0]} ({reason}: the source graph differs in more than parameters)",)
            raise exc
        check(err)

    def launch(self, stream):
        """Run the graph on ``stream``."""
        cdef cydriver.CUstream h
        self._live()
        stream_handle(stream, &h)
        with nogil:
            check(cydriver.cuGraphLaunch(self._exec, h))


cdef class GraphBuilder:
    """Records the work queued on its stream into a CUDA graph (see the module's description)."""

    cdef Stream _stream
    cdef bint _owns_stream
    cdef cydriver.CUgraph _graph
    cdef bint _building
    cdef object __weakref__

    def __init__(self, *args, **kwargs):
        raise RuntimeError("GraphBuilder objects cannot be instantiated directly. Use Device.create_graph_builder() or Stream.create_graph_builder().")

    @staticmethod
    def _on_stream(Stream stream, bint owns_stream):
        cdef GraphBuilder b = GraphBuilder.__new__(GraphBuilder)
        b._stream = stream
        b._owns_stream = owns_stream
        return b

    def __dealloc__(self):
        if self._graph != NULL:
            try:
                cydriver.cuGraphDestroy(self._graph)
            except BaseException:
                pass

    @property
    def stream(self):
        """The Stream whose work is captured."""
        return self._stream

    def __cuda_stream__(self):
        return self._stream.__cuda_stream__()

    @property
    def is_building(self):
        return self._building

    @property
    def is_closed(self):
        return self._stream is None

    def begin_building(self, mode="relaxed"):
        """Start capturing (mode: "global", "thread_local" or "relaxed"); returns self."""
        if self._stream is None:
            raise RuntimeError("the graph builder is closed")
        if self._building:
            raise RuntimeError("the graph builder is already building")
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {sorted(_MODES)}, got {mode!r}")
        cdef cydriver.CUstreamCaptureMode m = _MODES[mode]
        check(cydriver.cuStreamBeginCapture(self._stream._handle, m))
        self._building = True
        return self

    def end_building(self):
        """Stop capturing; returns self."""
        cdef cydriver.CUgraph g = NULL
        if not self._building:
            raise RuntimeError("the graph builder is not building")
        self._building = False
        check(cydriver.cuStreamEndCapture(self._stream._handle, &g))
        if self._graph != NULL:
            cydriver.cuGraphDestroy(self._graph)
        self._graph = g
        return self

    def complete(self, options=None):
        """Instantiate the captured graph: a Graph to launch."""
        if options is not None:
            raise NotImplementedError("GraphCompleteOptions are not supported by this minimal GraphBuilder")
        if self._building:
            raise RuntimeError("call end_building() before complete()")
        if self._graph == NULL:
            raise RuntimeError("nothing was captured: call begin_building() and end_building() first")
        cdef Graph out = Graph.__new__(Graph)
        with nogil:
            check(cydriver.cuGraphInstantiate(&out._exec, self._graph, 0))
        return out

    def close(self):
        """Release the captured graph (and the stream when the builder made it)."""
        if self._graph != NULL:
            g = <uintptr_t>self._graph
            self._graph = NULL
            check(cydriver.cuGraphDestroy(<cydriver.CUgraph>g))
        if self._stream is not None and self._owns_stream:
            self._stream.close()
        self._stream = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
