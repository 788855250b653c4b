# SPDX-License-Identifier: Apache-2.0
"""Views of one node inside an executable Graph: ``graph[node]``.

A view changes the node in that executable only (cuGraphExec*SetParams): the definition and the
other executables instantiated from it keep their parameters. An update replaces every parameter
(the driver cannot read an executable's back), so each takes all of them, by keyword. What an
update needs kept alive (buffers, callbacks, kernel arguments) is kept by the Graph until it is
closed or updated as a whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cuda.core.graph import _ops
from cuda.core.graph._graph_node import GraphNode, address, check_count, fill_value
from cuda.core.graph._subclasses import (
    ChildGraphNode,
    EventRecordNode,
    EventWaitNode,
    HostCallbackNode,
    KernelNode,
    MemcpyNode,
    MemsetNode,
    check_launch,
    event_handle,
    host_function,
)

if TYPE_CHECKING:
    from cuda.core._event import Event
    from cuda.core._launch import LaunchConfig
    from cuda.core._module import Kernel
    from cuda.core.graph._graph_builder import Graph
    from cuda.core.graph._graph_definition import GraphDefinition

__all__ = [
    "ExecutableChildGraphNode",
    "ExecutableEventRecordNode",
    "ExecutableEventWaitNode",
    "ExecutableGraphNode",
    "ExecutableHostCallbackNode",
    "ExecutableKernelNode",
    "ExecutableMemcpyNode",
    "ExecutableMemsetNode",
]


class ExecutableGraphNode:
    """A node of an executable Graph (made by ``graph[node]``)."""

    __slots__ = ("_exec", "_graph", "_node")
    _graph: Graph
    _exec: int
    _node: GraphNode

    def __init__(self, *args: Any, **kwargs: Any):
        raise RuntimeError("directly constructing an executable graph node is not supported")

    @classmethod
    def _make(cls, graph: Graph, exec_handle: int, node: GraphNode) -> ExecutableGraphNode:
        self = object.__new__(cls)
        self._graph = graph
        self._exec = exec_handle
        self._node = node
        return self

    def _handles(self) -> tuple[int, int]:
        if self._graph.is_closed:
            raise RuntimeError("executable graph has been closed")
        if not self._node.is_valid:
            raise RuntimeError("source graph node is no longer valid")
        return self._exec, self._node._h

    def _keep(self, obj: Any) -> None:
        self._graph._keep(obj)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} graph=0x{self._exec:x} node=0x{self._node._h:x}>"


class _Switchable(ExecutableGraphNode):
    """A node the executable can skip: kernel, copy and fill nodes."""

    __slots__ = ()

    @property
    def is_enabled(self) -> bool:
        """False while disable()d: launches skip the node."""
        return _ops.exec_is_enabled(*self._handles())

    def enable(self) -> None:
        """Run the node again at the next launches."""
        _ops.exec_set_enabled(*self._handles(), True)

    def disable(self) -> None:
        """Skip the node at the next launches (its dependencies still hold)."""
        _ops.exec_set_enabled(*self._handles(), False)


class ExecutableKernelNode(_Switchable):
    """A kernel node of an executable Graph."""

    __slots__ = ()

    def update(self, *, config: LaunchConfig, kernel: Kernel, args: Any) -> None:
        """Launch ``kernel`` with ``config`` and ``args`` (every argument) from the next launch on."""
        check_launch(config, kernel, "updating ")
        args = tuple(args)
        _ops.set_kernel(*self._handles(), config, kernel, args)
        self._keep((kernel, args))


class ExecutableMemcpyNode(_Switchable):
    """A copy node of an executable Graph."""

    __slots__ = ()

    def update(self, *, dst: Any, src: Any, size: int) -> None:
        """Copy ``size`` bytes from ``src`` to ``dst`` from the next launch on."""
        dst_ptr, dst_keep = address("dst", dst, None, "dst_owner")
        src_ptr, src_keep = address("src", src, None, "src_owner")
        size = check_count("size", size, 0)
        _ops.set_memcpy(*self._handles(), dst_ptr, src_ptr, size)
        self._keep((dst_keep, src_keep))


class ExecutableMemsetNode(_Switchable):
    """A fill node of an executable Graph."""

    __slots__ = ()

    def update(self, *, dst: Any, value: Any, width: int, height: int = 1, pitch: int = 0) -> None:
        """Fill ``height`` rows of ``width`` elements at ``dst`` with ``value`` from the next launch on."""
        dst_ptr, keep = address("dst", dst, None, "dst_owner")
        fill, element_size = fill_value(value)
        width = check_count("width", width, 1)
        height = check_count("height", height, 1)
        pitch = check_count("pitch", pitch, 0)
        _ops.set_memset(*self._handles(), dst_ptr, fill, element_size, width, height, pitch)
        self._keep(keep)


class ExecutableHostCallbackNode(ExecutableGraphNode):
    """A host callback node of an executable Graph."""

    __slots__ = ()

    def update(self, fn: Any, *, user_data: Any = None) -> None:
        """Call ``fn`` (as GraphNode.callback takes it) from the next launch on."""
        address_, data, keep = host_function(fn, user_data)
        _ops.set_host(*self._handles(), address_, data)
        self._keep(keep)


class ExecutableChildGraphNode(ExecutableGraphNode):
    """A child graph node of an executable Graph."""

    __slots__ = ()

    def update(self, child: GraphDefinition) -> None:
        """Run the nodes of ``child`` (same topology as the node's graph) from the next launch on.
        The executable takes over what ``child``'s nodes keep alive."""
        from cuda.core.graph._graph_definition import GraphDefinition

        if not isinstance(child, GraphDefinition):
            raise TypeError(f"child must be a GraphDefinition, not {type(child).__name__}")
        _ops.set_child(*self._handles(), child._live())
        self._keep(child._root)


class _ExecutableEventNode(ExecutableGraphNode):
    __slots__ = ()
    _record = True

    def update(self, event: Event) -> None:
        """Use ``event`` from the next launch on."""
        _ops.set_event(*self._handles(), event_handle(event), self._record)
        self._keep(event)


class ExecutableEventRecordNode(_ExecutableEventNode):
    """An event record node of an executable Graph."""

    __slots__ = ()


class ExecutableEventWaitNode(_ExecutableEventNode):
    """An event wait node of an executable Graph."""

    __slots__ = ()
    _record = False


_VIEWS = {
    KernelNode: ExecutableKernelNode,
    MemcpyNode: ExecutableMemcpyNode,
    MemsetNode: ExecutableMemsetNode,
    HostCallbackNode: ExecutableHostCallbackNode,
    ChildGraphNode: ExecutableChildGraphNode,
    EventRecordNode: ExecutableEventRecordNode,
    EventWaitNode: ExecutableEventWaitNode,
}


def executable_node(graph: Graph, exec_handle: int, node: Any) -> ExecutableGraphNode:
    """The view of ``node`` in ``graph`` (Graph.__getitem__)."""
    if not isinstance(node, GraphNode):
        raise TypeError(f"graph[...] takes a node of the graph's definition, not {type(node).__name__}")
    if node._destroyed:
        raise RuntimeError("GraphNode has been destroyed")
    view = _VIEWS.get(type(node))
    if view is None:
        raise TypeError(f"{type(node).__name__} does not support executable updates")
    return view._make(graph, exec_handle, node)
