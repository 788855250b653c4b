# SPDX-License-Identifier: Apache-2.0
"""GraphBuilder (CUDA graphs recorded by stream capture) and Graph (an executable graph).

A GraphBuilder wraps a stream: begin_building() starts capturing the work queued on it
(launches, copies, event records, host callbacks...), end_building() stops, and complete()
instantiates the captured graph into a Graph that launch(stream) replays. Around that:
- split(n) forks the capture into n builders on n streams (the first is the builder itself)
  and GraphBuilder.join() merges them back; work on different builders may run concurrently.
- create_condition() and if_then / if_else / while_loop / switch add a conditional node at
  the capture point and return builders for its body graphs: capture into them like into any
  builder (begin_building, work, end_building), or fill them through their graph_definition.
- embed() adds a finished builder's graph as a child node; callback() a host function.
The captured graph is owned by a _Root (cuda.core.graph._graph_definition) shared with the
GraphDefinition views of it, so graph_definition stays usable after the builder is closed.

Graph.launch() is the hot path: one cuGraphLaunch, the GIL released around it.
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

# Kinds of builder
DEF PRIMARY = 0     # made by Device / Stream.create_graph_builder(): owns the captured graph
DEF FORKED = 1      # made by split(): captures into its primary's graph
DEF BODY = 2        # a conditional node's body: captures into that body graph


cdef class Graph:
    """An executable graph: launch it on a stream as often as needed.

    Made by GraphBuilder.complete() or GraphDefinition.instantiate(). ``graph[node]`` (a node
    of the definition it was instantiated from) gives a view for changing that node here.
    """

    cdef cydriver.CUgraphExec _exec
    cdef list _owners     # what updates of single nodes need kept alive (see _executable.py)
    cdef object __weakref__

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Graph objects cannot be instantiated directly. Use GraphBuilder.complete().")

    @staticmethod
    def _from_exec(uintptr_t handle, source):
        cdef Graph g = Graph.__new__(Graph)
        g._exec = <cydriver.CUgraphExec>handle
        # ``source`` (the definition) is not kept: the driver's user objects keep what its
        # nodes need, and views (graph[node]) hold their node.
        g._owners = []
        return g

    def _keep(self, obj):
        self._owners.append(obj)

    def __dealloc__(self):
        if self._exec != NULL:
            try:
                cydriver.cuGraphExecDestroy(self._exec)
            except BaseException:
                pass

    def close(self):
        """Destroy the executable graph (idempotent)."""
        cdef cydriver.CUgraphExec e = self._exec
        self._exec = NULL
        if e != NULL:
            check(cydriver.cuGraphExecDestroy(e))
        self._owners = []

    @property
    def is_closed(self):
        return self._exec == NULL

    @property
    def handle(self):
        """The CUgraphExec (a cuda.bindings.driver.CUgraphExec)."""
        from cuda.bindings.driver import CUgraphExec

        return CUgraphExec(<uintptr_t>self._exec)

    cdef int _live(self) except -1:
        if self._exec == NULL:
            raise RuntimeError("the graph is closed")
        return 0

    def __getitem__(self, node):
        """The view of ``node`` (a node of the source definition) in this executable graph."""
        from cuda.core.graph._executable import executable_node

        self._live()
        return executable_node(self, <uintptr_t>self._exec, node)

    def __repr__(self):
        return f"<Graph handle=0x{<uintptr_t>self._exec:x}>"

    def upload(self, stream):
        """Upload the graph's resources to the device, ordered on ``stream``."""
        cdef cydriver.CUstream h
        self._live()
        stream_handle(stream, &h)
        with nogil:
            check(cydriver.cuGraphUpload(self._exec, h))

    def update(self, source):
        """Give this executable graph the parameters of ``source``: a GraphDefinition, or a
        GraphBuilder that has ended building, of the same topology (same nodes and edges, other
        arguments), without a new instantiation. A CUDAError says why one cannot be updated."""
        cdef cydriver.CUgraphExecUpdateResultInfo info
        cdef cydriver.CUresult err
        cdef cydriver.CUgraph g
        from cuda.core.graph._graph_definition import GraphDefinition

        self._live()
        if isinstance(source, GraphBuilder):
            if (<GraphBuilder>source)._stream is None:
                raise ValueError("Source graph builder has been closed.")
            try:
                g = <cydriver.CUgraph><uintptr_t>(<GraphBuilder>source)._finished_graph()
            except RuntimeError as exc:
                raise ValueError(str(exc)) from None
        elif isinstance(source, GraphDefinition):
            g = <cydriver.CUgraph><uintptr_t>source._live()
        else:
            raise TypeError(f"expected GraphBuilder or GraphDefinition, got {type(source).__name__}")
        with nogil:
            err = cydriver.cuGraphExecUpdate(self._exec, g, &info)
        if err == cydriver.CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE:
            from cuda.bindings.driver import CUgraphExecUpdateResult

            from cuda.core._errors import driver_error

            reason = CUgraphExecUpdateResult(<int>info.result).name
            exc = driver_error(<int>err)
            exc.args = (f"Graph update failed: {exc.args[0]} ({reason})",)
            raise exc
        check(err)
        self._owners = []  # the source's nodes keep their own owners (the driver's user objects)

    def launch(self, stream):
        """Run the graph on ``stream``."""
        cdef cydriver.CUstream h
        self._live()
        stream_handle(stream, &h)
        with nogil:
            check(cydriver.cuGraphLaunch(self._exec, h))


def _graph_ops():
    from cuda.core.graph import _ops

    return _ops


cdef class GraphBuilder:
    """Records the work queued on its stream into a CUDA graph (see the module's description)."""

    cdef Stream _stream
    cdef bint _owns_stream
    cdef int _kind
    cdef object _root       # _Root of the captured graph (PRIMARY, after end_building)
    cdef object _primary    # FORKED: the builder it was split from; BODY: the builder it came from
    cdef uintptr_t _body    # BODY: the body graph
    cdef object _body_root  # BODY: the borrowed root of its views
    cdef dict _pending      # PRIMARY while building: the facts of its graph (its _Root's, see _kept.py)
    cdef bint _building
    cdef bint _ended        # end_building() ran
    cdef object __weakref__

    def __init__(self, *args, **kwargs):
        raise RuntimeError("GraphBuilder objects cannot be instantiated directly. Use Device.create_graph_builder() or Stream.create_graph_builder().")

    @staticmethod
    def _on_stream(Stream stream, bint owns_stream):
        cdef GraphBuilder b = GraphBuilder.__new__(GraphBuilder)
        b._stream = stream
        b._owns_stream = owns_stream
        b._kind = PRIMARY
        return b

    cdef GraphBuilder _sibling(self, int kind, object primary):
        """A builder of ``kind`` on a new stream of this builder's device."""
        from cuda.core._device import Device

        cdef GraphBuilder b = GraphBuilder._on_stream(Device(self._stream.device.device_id).create_stream(), True)
        b._kind = kind
        b._primary = primary
        return b

    # ---- state

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

    @property
    def is_join_required(self):
        """True for a builder made by split(): GraphBuilder.join() must merge it back before the
        capture can end."""
        return self._kind == FORKED

    cdef int _open(self) except -1:
        if self._stream is None:
            raise RuntimeError("Graph builder has been closed.")
        return 0

    cdef int _capturing(self) except -1:
        self._open()
        if not self._building:
            raise RuntimeError("Graph builder is not building: call begin_building() first.")
        return 0

    cdef uintptr_t _finished_graph(self) except 0:
        self._open()
        if self._kind == FORKED:
            raise RuntimeError("Graph has not finished building: a forked builder (made by split()) has no graph "
                               "of its own; use the builder it was split from.")
        if self._kind == BODY and not self._building:
            return self._body
        if self._building or self._root is None:
            raise RuntimeError("Graph has not finished building. Call begin_building() and end_building() first.")
        return self._root.handle

    # ---- capturing

    def begin_building(self, mode="relaxed"):
        """Start capturing (mode: "global", "thread_local" or "relaxed"); returns self."""
        self._open()
        if self._building:
            raise RuntimeError("Graph builder is already building.")
        if self._ended and self._kind != BODY:
            raise RuntimeError("Cannot resume building after building has ended.")
        if mode not in _MODES:
            raise ValueError(f"Unsupported build mode: {mode!r} (expected one of {sorted(_MODES)})")
        cdef cydriver.CUstreamCaptureMode m = _MODES[mode]
        if self._kind == BODY:
            _graph_ops().capture_to_graph(<uintptr_t>self._stream._handle, self._body, <int>m)
        else:
            check(cydriver.cuStreamBeginCapture(self._stream._handle, m))
        self._building = True
        return self

    def end_building(self):
        """Stop capturing; returns self."""
        cdef cydriver.CUgraph g = NULL
        self._open()
        if not self._building:
            raise RuntimeError("Graph builder is not building: call begin_building() first.")
        if self._kind == FORKED:
            raise RuntimeError("A forked graph builder cannot end building: join it (GraphBuilder.join) with the "
                               "builder it was split from.")
        self._building = False
        self._ended = True
        check(cydriver.cuStreamEndCapture(self._stream._handle, &g))
        if self._kind == PRIMARY:
            from cuda.core.graph._graph_definition import _Root

            self._root = _Root(<uintptr_t>g)
            if self._pending is not None:  # the same dict: conditional bodies' views share it
                self._root.facts = self._pending
            self._pending = None
        return self

    def complete(self, options=None):
        """Instantiate the captured graph: a Graph to launch (options: GraphCompleteOptions)."""
        from cuda.core.graph._options import instantiate

        cdef uintptr_t g = self._finished_graph()
        return instantiate(g, options, self.graph_definition)

    @property
    def graph_definition(self):
        """The captured graph as a GraphDefinition (a view of the same graph).

        A primary builder has one after end_building(); a conditional body's builder has one
        from the start (its body graph exists already); a builder made by split() has none.
        """
        from cuda.core.graph._graph_definition import GraphDefinition

        if self._stream is None:
            raise RuntimeError("Graph builder has been closed: its graph_definition is gone with it.")
        if self._kind == FORKED:
            raise RuntimeError("A forked graph builder has no graph_definition: use the builder it was split from.")
        if self._building:
            raise RuntimeError("graph_definition is not available while a capture is in progress: "
                               "call end_building() first.")
        if self._kind == BODY:
            return GraphDefinition._view(self._body_root, self._body, None)
        if self._root is None:
            raise RuntimeError("graph_definition is not available before begin_building() and end_building().")
        return GraphDefinition._view(self._root, self._root.handle, None)

    def debug_dot_print(self, path, options=None):
        """Write the captured graph in GraphViz DOT form to ``path``."""
        from cuda.core.graph._options import debug_flags

        import os

        _graph_ops().debug_dot_print(self._finished_graph(), os.fsdecode(path), debug_flags(options))

    # ---- forks and joins

    def split(self, count):
        """``count`` builders continuing from this point: this one first, then new ones, each
        on its own stream. GraphBuilder.join() merges them back."""
        cdef GraphBuilder b
        cdef GraphBuilder primary
        self._open()
        if not self._building:
            raise RuntimeError("Graph builder must be building before it can be split.")
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"count must be an int, not {type(count).__name__}")
        if count < 2:
            raise ValueError(f"Invalid split count: expecting >= 2, got {count}")
        primary = self if self._kind != FORKED else <GraphBuilder>self._primary
        out = [self]
        event = self._stream.record()
        try:
            for _ in range(count - 1):
                b = self._sibling(FORKED, primary)
                b._stream.wait(event)  # joins the capture at this point
                b._building = True
                out.append(b)
        finally:
            event.close()
        return tuple(out)

    @staticmethod
    def join(*graph_builders):
        """Merge builders into one that continues after the work of all of them; the others are
        closed. The one kept is the builder that was not made by split() (the first given if
        all were)."""
        cdef GraphBuilder keep, other
        if len(graph_builders) < 2:
            raise ValueError("Must join with at least two graph builders")
        for b in graph_builders:
            if not isinstance(b, GraphBuilder):
                raise TypeError(f"join() takes GraphBuilders, not {type(b).__name__}")
            (<GraphBuilder>b)._capturing()
        if len({id(b) for b in graph_builders}) != len(graph_builders):
            raise ValueError("join() takes distinct graph builders")
        keep = graph_builders[0]
        for b in graph_builders:
            if (<GraphBuilder>b)._kind != FORKED:
                keep = b
                break
        for b in graph_builders:
            other = <GraphBuilder>b
            if other is keep:
                continue
            event = other._stream.record()
            keep._stream.wait(event)
            event.close()
        for b in graph_builders:
            other = <GraphBuilder>b
            if other is not keep:
                other._building = False  # its stream's work now flows into keep's capture
                other.close()
        return keep

    # ---- nodes at the capture point

    cdef tuple _capture_point(self):
        """(graph being captured, its current dependencies) of this builder's stream."""
        self._capturing()
        return _graph_ops().capture_info(<uintptr_t>self._stream._handle)

    def create_condition(self, default_value=None):
        """A GraphCondition for conditional nodes of the graph being captured (see
        GraphDefinition.create_condition)."""
        from cuda.core.graph._graph_definition import GraphCondition

        if default_value is not None:
            if isinstance(default_value, bool) or not isinstance(default_value, int):
                raise TypeError(f"default_value must be an int or None, not {type(default_value).__name__}")
            if not 0 <= default_value <= 0xFFFFFFFF:
                raise ValueError(f"default_value must fit in 32 unsigned bits, got {default_value}")
        graph, _ = self._capture_point()
        return GraphCondition._make(_graph_ops().condition_create(graph, default_value), graph)

    cdef tuple _conditional(self, condition, int kind, unsigned int size):
        from cuda.core.graph._graph_definition import GraphCondition, _BorrowedRoot

        cdef GraphBuilder b
        if not isinstance(condition, GraphCondition):
            raise TypeError(f"condition must be a GraphCondition, not {type(condition).__name__}")
        graph, deps = self._capture_point()
        ops = _graph_ops()
        node, bodies = ops.add_conditional(graph, deps, condition._value, kind, size)
        ops.capture_set_dependencies(<uintptr_t>self._stream._handle, [node])
        out = []
        for body in bodies:
            b = self._sibling(BODY, self)
            b._body = body
            b._body_root = _BorrowedRoot(body, self)
            b._body_root.facts = self._kept_records()  # one hierarchy, one record of it
            out.append(b)
        return tuple(out)

    def if_then(self, condition):
        """A conditional node running its body when ``condition`` is non-zero; returns the
        builder of the body."""
        return self._conditional(condition, 0, 1)[0]

    def if_else(self, condition):
        """A conditional node with a body for a non-zero ``condition`` and one for zero;
        returns their two builders."""
        return self._conditional(condition, 0, 2)

    def while_loop(self, condition):
        """A conditional node running its body while ``condition`` is non-zero; returns the
        builder of the body."""
        return self._conditional(condition, 1, 1)[0]

    def switch(self, condition, count):
        """A conditional node with ``count`` bodies, running the one numbered ``condition``;
        returns their builders."""
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"count must be an int, not {type(count).__name__}")
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count}")
        return self._conditional(condition, 2, count)

    def embed(self, child):
        """Add the graph of ``child`` (a GraphBuilder that has ended building) here as a child node."""
        if not isinstance(child, GraphBuilder):
            raise TypeError(f"child must be a GraphBuilder, not {type(child).__name__}")
        cdef uintptr_t g = (<GraphBuilder>child)._finished_graph()
        if (<GraphBuilder>child)._kind == BODY:
            raise ValueError("a conditional body's builder cannot be embedded: embed a builder of its own graph")
        graph, deps = self._capture_point()
        ops = _graph_ops()
        node = ops.add_child(graph, deps, g)
        ops.capture_set_dependencies(<uintptr_t>self._stream._handle, [node])
        source = (<GraphBuilder>child)._root
        if source is not None:
            from cuda.core.graph import _kept

            _kept.copy_records(source.facts, g, ops.child_graph(node), self._kept_records())

    def callback(self, fn, *, user_data=None):
        """Add a host callback at the capture point (see GraphNode.callback for ``fn`` and
        ``user_data``)."""
        from cuda.core.graph._subclasses import host_function

        address, data, keep = host_function(fn, user_data)
        graph, _ = self._capture_point()
        ops = _graph_ops()
        kept = ops.retain(graph, keep)
        ops.launch_host_func(<uintptr_t>self._stream._handle, address, data)
        _, added = ops.capture_info(<uintptr_t>self._stream._handle)
        if len(added) == 1:  # the host node just captured: destroying it lets go of ``keep``
            from cuda.core.graph import _kept

            _kept.record(self._kept_records(), graph, added[0], kept)

    cdef dict _kept_records(self):
        """Where what the captured graph keeps per node is recorded (see _kept.py): the facts of
        the primary builder's graph, which its conditional bodies' views share."""
        if self._kind == BODY or self._kind == FORKED:
            return (<GraphBuilder>self._primary)._kept_records()
        if self._root is not None:
            return self._root.facts
        if self._pending is None:
            self._pending = {}
        return self._pending

    # ---- closing

    def __dealloc__(self):
        # Garbage while capturing: end the capture (its stream is usable again), drop the graph.
        cdef cydriver.CUgraph g = NULL
        if self._building and self._kind != FORKED and self._stream is not None:
            if cydriver.cuStreamEndCapture(self._stream._handle, &g) == cydriver.CUDA_SUCCESS:
                if g != NULL and self._kind == PRIMARY:
                    cydriver.cuGraphDestroy(g)

    def close(self):
        """Release the builder (idempotent): the captured graph lives on in the Graphs and
        GraphDefinitions made from it, the stream it made in the buffers allocated on it."""
        if self._building and self._kind != FORKED:
            self._building = False
            try:
                self._abandon_capture()
            except Exception:
                pass
        self._root = None
        # The stream it made goes when its last user does: buffers allocated during the capture
        # free on it (their deallocation stream), so it is dropped here, not destroyed.
        self._stream = None

    cdef int _abandon_capture(self) except -1:
        cdef cydriver.CUgraph g = NULL
        check(cydriver.cuStreamEndCapture(self._stream._handle, &g))
        if g != NULL and self._kind == PRIMARY:
            cydriver.cuGraphDestroy(g)
        return 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _capture_callback_with_tail_failure_for_testing(GraphBuilder builder, fn):
    """For tests: capture ``fn`` as a host callback, then fail as if the capture point could not be
    found afterwards. The node stays in the capture, owning ``fn``."""
    builder.callback(fn)
    raise RuntimeError("forced capture tail discovery failure (testing hook)")
