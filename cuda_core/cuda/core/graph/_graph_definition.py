# SPDX-License-Identifier: Apache-2.0
"""GraphDefinition (a CUDA graph built node by node) and GraphCondition.

A definition is a view of one CUgraph. The graph made by ``GraphDefinition()`` (or captured by a
GraphBuilder) is owned by a _Root that destroys it when the last view, node or builder holding
it goes. The body graphs of child-graph and conditional nodes belong to their node: their views
hold the root (so the whole hierarchy stays alive) and the node (whose destruction ends them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cuda.core.graph import _ops

if TYPE_CHECKING:
    from cuda.core._event import Event
    from cuda.core._launch import LaunchConfig
    from cuda.core._memory import Buffer
    from cuda.core._module import Kernel
    from cuda.core.graph._executable import Graph
    from cuda.core.graph._graph_node import GraphNode
    from cuda.core.graph._options import GraphCompleteOptions, GraphDebugPrintOptions
    from cuda.core.graph._subclasses import (
        AllocNode,
        ChildGraphNode,
        EmptyNode,
        EventRecordNode,
        EventWaitNode,
        FreeNode,
        HostCallbackNode,
        IfElseNode,
        IfNode,
        KernelNode,
        MemcpyNode,
        MemsetNode,
        SwitchNode,
        WhileNode,
    )

__all__ = ["GraphCondition", "GraphDefinition"]


class _Root:
    """Owns a CUgraph: destroys it when garbage. ``facts``: what the driver cannot tell about a
    node of the hierarchy (by node handle; see _node.py)."""

    __slots__ = ("__weakref__", "facts", "handle")

    def __init__(self, handle: int):
        self.handle = handle
        self.facts: dict[Any, Any] = {}

    def __del__(self):
        handle, self.handle = self.handle, 0
        if handle:
            try:
                _ops.graph_destroy(handle)
            except Exception:
                pass


def child_generation(root: _Root, node: GraphNode | None) -> int:
    """How many times ``node`` (a child graph node) had its graph replaced: views of an older
    graph are no longer valid (the driver destroyed it). Kept in the root's facts, which every
    Python object of the same node shares."""
    return 0 if node is None else root.facts.get(("child-generation", node._h), 0)


class _BorrowedRoot(_Root):
    """The root of views of a graph someone else owns (a conditional body made during capture):
    ``owner`` (the builder whose captured graph holds it) is kept alive, nothing is destroyed."""

    __slots__ = ("owner",)

    def __init__(self, handle: int, owner: Any):
        super().__init__(handle)
        self.owner = owner

    def __del__(self):
        pass


class GraphCondition:
    """A condition variable of a graph, for its conditional nodes.

    Made by ``create_condition()`` of a GraphDefinition or a GraphBuilder; device code sets its
    value with ``cudaGraphSetConditional``. Pass it to ``launch()`` as a kernel argument: it
    packs as its 64-bit handle.
    """

    __slots__ = ("__weakref__", "_graph", "_value")
    _value: int
    _graph: int

    def __init__(self, *args: Any, **kwargs: Any):
        raise RuntimeError("GraphCondition objects cannot be made directly: use create_condition()")

    @classmethod
    def _make(cls, value: int, graph: int) -> GraphCondition:
        self = object.__new__(cls)
        self._value = value
        self._graph = graph  # the CUgraph it was created for
        return self

    @property
    def handle(self):
        """The CUgraphConditionalHandle."""
        from cuda.bindings.driver import CUgraphConditionalHandle

        return CUgraphConditionalHandle(self._value)

    def __index__(self) -> int:
        return self._value

    __int__ = __index__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GraphCondition):
            return NotImplemented
        return self._value == other._value

    def __hash__(self) -> int:
        return hash((GraphCondition, self._value))

    def __repr__(self) -> str:
        return f"<GraphCondition handle=0x{self._value:x}>"


class GraphDefinition:
    """A CUDA graph built explicitly: add nodes, connect them, then ``instantiate()`` it.

    The methods that add a node here (``launch``, ``memcpy``, ``join``...) add one without
    dependencies; the same methods of a node add one that depends on that node. Views of the
    same graph hierarchy share its state: mutate it from one thread at a time.
    """

    __slots__ = ("__weakref__", "_entry_node", "_gen", "_h", "_parent", "_root")
    _root: _Root
    _h: int
    _parent: GraphNode | None
    _entry_node: GraphNode | None
    _gen: int

    def __init__(self):
        self._root = _Root(_ops.graph_create())
        self._h = self._root.handle
        self._parent = None
        self._entry_node = None
        self._gen = 0

    @classmethod
    def _view(cls, root: _Root, handle: int, parent: GraphNode | None) -> GraphDefinition:
        """A definition of ``handle``, part of the hierarchy ``root`` owns (body of ``parent``)."""
        self = object.__new__(cls)
        self._root = root
        self._h = handle
        self._parent = parent
        self._entry_node = None
        self._gen = child_generation(root, parent)
        return self

    # ---- identity and state

    @property
    def is_valid(self) -> bool:
        """False once the graph is gone (its owning node was destroyed)."""
        if not self._root.handle:
            return False
        if self._parent is None:
            return True
        # a child graph node's update() replaced the graph this view was made for
        return self._parent.is_valid and child_generation(self._root, self._parent) == self._gen

    def _live(self) -> int:
        if not self.is_valid:
            raise RuntimeError("the graph definition is no longer valid (its node was destroyed)")
        return self._h

    @property
    def handle(self):
        """The CUgraph (a cuda.bindings.driver.CUgraph)."""
        from cuda.bindings.driver import CUgraph

        return CUgraph(self._h if self.is_valid else 0)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GraphDefinition):
            return NotImplemented
        return self._h == other._h

    def __hash__(self) -> int:
        return hash((GraphDefinition, self._h))

    def __repr__(self) -> str:
        return f"<GraphDefinition handle=0x{self._h:x}>"

    @property
    def _entry(self) -> GraphNode:
        """The node-less starting point: nodes added from it have no dependencies."""
        if self._entry_node is None:
            from cuda.core.graph._graph_node import GraphNode

            self._entry_node = GraphNode._entry_of(self)
        return self._entry_node

    # ---- queries

    def nodes(self) -> set[GraphNode]:
        """Every node of this graph (not of its child or body graphs)."""
        from cuda.core.graph._graph_node import node_of

        return {node_of(self, h) for h in _ops.graph_nodes(self._live())}

    def edges(self) -> set[tuple[GraphNode, GraphNode]]:
        """Every dependency of this graph, as (from_node, to_node) pairs."""
        from cuda.core.graph._graph_node import node_of

        return {(node_of(self, a), node_of(self, b)) for a, b in _ops.graph_edges(self._live())}

    # ---- nodes without dependencies (see the GraphNode methods of the same names)

    def empty(self) -> EmptyNode:
        """An empty node without dependencies."""
        return self._entry.join()

    def join(self, *nodes: GraphNode) -> EmptyNode:
        """An empty node that depends on every node given."""
        return self._entry.join(*nodes)

    def launch(self, config: LaunchConfig, kernel: Kernel, *args: Any) -> KernelNode:
        return self._entry.launch(config, kernel, *args)

    def memcpy(
        self, dst: Buffer | int, src: Buffer | int, size: int, *, dst_owner: Any = None, src_owner: Any = None
    ) -> MemcpyNode:
        return self._entry.memcpy(dst, src, size, dst_owner=dst_owner, src_owner=src_owner)

    def memset(
        self, dst: Buffer | int, value: Any, width: int, height: int = 1, pitch: int = 0, *, dst_owner: Any = None
    ) -> MemsetNode:
        return self._entry.memset(dst, value, width, height, pitch, dst_owner=dst_owner)

    def allocate(
        self, size: int, *, device: Any = None, memory_type: Any = "device", peer_access: Any = None
    ) -> AllocNode:
        return self._entry.allocate(size, device=device, memory_type=memory_type, peer_access=peer_access)

    def deallocate(self, dptr: int) -> FreeNode:
        return self._entry.deallocate(dptr)

    def embed(self, child: GraphDefinition) -> ChildGraphNode:
        return self._entry.embed(child)

    def record(self, event: Event) -> EventRecordNode:
        return self._entry.record(event)

    def wait(self, event: Event) -> EventWaitNode:
        return self._entry.wait(event)

    def callback(self, fn: Any, *, user_data: Any = None) -> HostCallbackNode:
        return self._entry.callback(fn, user_data=user_data)

    def if_then(self, condition: GraphCondition) -> IfNode:
        return self._entry.if_then(condition)

    def if_else(self, condition: GraphCondition) -> IfElseNode:
        return self._entry.if_else(condition)

    def while_loop(self, condition: GraphCondition) -> WhileNode:
        return self._entry.while_loop(condition)

    def switch(self, condition: GraphCondition, count: int) -> SwitchNode:
        return self._entry.switch(condition, count)

    # ---- whole-graph operations

    def create_condition(self, default_value: int | None = None) -> GraphCondition:
        """A condition variable for this graph's conditional nodes; ``default_value`` (if given)
        is assigned at the start of every launch."""
        if default_value is not None:
            if isinstance(default_value, bool) or not isinstance(default_value, int):
                raise TypeError(f"default_value must be an int or None, not {type(default_value).__name__}")
            if not 0 <= default_value <= 0xFFFFFFFF:
                raise ValueError(f"default_value must fit in 32 unsigned bits, got {default_value}")
        handle = self._live()
        return GraphCondition._make(_ops.condition_create(handle, default_value), handle)

    def instantiate(self, options: GraphCompleteOptions | None = None) -> Graph:
        """An executable Graph of this definition (later changes to the definition do not reach it)."""
        from cuda.core.graph._options import instantiate

        return instantiate(self._live(), options, self)

    def debug_dot_print(self, path: str, options: GraphDebugPrintOptions | None = None) -> None:
        """Write the graph in GraphViz DOT form to ``path``."""
        import os

        from cuda.core.graph._options import debug_flags

        _ops.debug_dot_print(self._live(), os.fsdecode(path), debug_flags(options))
