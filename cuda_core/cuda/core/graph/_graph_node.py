# SPDX-License-Identifier: Apache-2.0
"""GraphNode: a node of a GraphDefinition, and the methods that add nodes after it.

One Python object stands for one CUgraphNode while it is referenced anywhere (a weak registry
keyed by handle), so nodes from ``nodes()``, ``edges()``, ``pred`` and ``succ`` are the objects
the adding methods returned. What the driver cannot give back (the Kernel object of a kernel
node, the kind and bodies of a conditional node, a Python callback) is kept per graph in the
root's ``facts``, keyed by node handle.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, MutableSet
from typing import TYPE_CHECKING, Any

from cuda.core.graph import _kept, _ops

if TYPE_CHECKING:
    from cuda.core._event import Event
    from cuda.core._launch import LaunchConfig
    from cuda.core._memory import Buffer
    from cuda.core._module import Kernel
    from cuda.core.graph._graph_definition import GraphCondition, GraphDefinition
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

__all__ = ["GraphNode"]

_node_registry: weakref.WeakValueDictionary[int, GraphNode] = weakref.WeakValueDictionary()


def node_of(graph: GraphDefinition, handle: int) -> GraphNode:
    """The node object of ``handle`` (a node of ``graph``), made on first sight."""
    found = _node_registry.get(handle)
    if found is not None and not found._destroyed and found._graph._h == graph._h:
        return found
    from cuda.core.graph._subclasses import class_of

    node: GraphNode = class_of(graph, handle)._make(graph, handle)
    _node_registry[handle] = node
    return node


def address(what: str, value: Any, owner: Any, owner_name: str) -> tuple[int, Any]:
    """(pointer, object to keep alive) of a Buffer or an int address (+ optional owner)."""
    from cuda.core._memory import Buffer

    if isinstance(owner, Buffer) and owner.is_closed:
        raise RuntimeError(f"{owner_name}: Buffer has been closed")
    if isinstance(value, Buffer):
        if owner is not None:
            raise ValueError(f"{owner_name} cannot be used when {what} is a Buffer")
        if value.is_closed:
            raise RuntimeError(f"{what}: Buffer has been closed")
        return int(value.handle), value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be a Buffer or an int address, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{what} must be a non-negative address, got {value}")
    return value, owner


def _held(obj: Any) -> Any:
    """``obj`` with each Buffer in it replaced by what keeps its memory past ``close()``."""
    from cuda.core._memory import Buffer

    if isinstance(obj, Buffer):
        return obj._hold()
    if isinstance(obj, (tuple, list)):
        return tuple(_held(item) for item in obj)
    return obj


def check_count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise OverflowError(f"{name} must be >= {minimum}, got {value}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def fill_value(value: Any, element_size: int | None = None) -> tuple[int, int]:
    """(value, element size) of a memset fill: an int (one byte, or ``element_size`` bytes when
    given), or a buffer of 1, 2 or 4 bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = element_size or 1
        if not 0 <= value < 1 << (8 * size):
            raise OverflowError(f"fill value {value} does not fit in {size} byte(s)")
        return value, size
    try:
        data = memoryview(value).cast("B").tobytes()
    except TypeError:
        raise TypeError(f"value must be an int or support the buffer protocol, got {type(value).__name__}") from None
    if len(data) not in (1, 2, 4):
        raise ValueError(f"value must be 1, 2, or 4 bytes, got {len(data)}")
    return int.from_bytes(data, "little"), len(data)


class GraphNode:
    """A node of a GraphDefinition.

    The methods named after operations (``launch``, ``memcpy``, ``record``...) add a node that
    depends on this one and return it; ``pred`` and ``succ`` are live, mutable sets of the
    nodes this one depends on and of those depending on it.
    """

    _graph: GraphDefinition
    _h: int
    _destroyed: bool
    _cache: Any

    def __init__(self, *args: Any, **kwargs: Any):
        raise RuntimeError("graph nodes cannot be made directly: add them through a GraphDefinition")

    @classmethod
    def _make(cls, graph: GraphDefinition, handle: int) -> GraphNode:
        self = object.__new__(cls)
        self._graph = graph
        self._h = handle
        self._destroyed = False
        self._cache = None  # the parameters last read (what a destroyed node still reports)
        return self

    @classmethod
    def _entry_of(cls, graph: GraphDefinition) -> GraphNode:
        return GraphNode._make(graph, 0)

    # ---- identity and state

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GraphNode):
            return NotImplemented
        return self._h == other._h and self._graph._h == other._graph._h

    def __hash__(self) -> int:
        return hash((GraphNode, self._graph._h, self._h))

    def __repr__(self) -> str:
        if not self._h:
            return "<GraphNode entry>"
        return f"<{type(self).__name__} handle=0x{self._h:x}{self._repr_extra()}>"

    def _repr_extra(self) -> str:
        return ""

    @property
    def type(self):
        """The node's CUgraphNodeType (None for a definition's entry point or a destroyed node)."""
        if not self._h or self._destroyed:
            return None
        from cuda.bindings.driver import CUgraphNodeType

        return CUgraphNodeType(_ops.node_type(self._live()))

    @property
    def graph(self) -> GraphDefinition:
        """The GraphDefinition this node belongs to."""
        return self._graph

    @property
    def handle(self):
        """The CUgraphNode (None for a definition's entry point or a destroyed node)."""
        if not self._h or self._destroyed:
            return None
        from cuda.bindings.driver import CUgraphNode

        return CUgraphNode(self._h)

    @property
    def is_valid(self) -> bool:
        """False once destroy() ran or the graph is gone."""
        return not self._destroyed and self._graph.is_valid

    def _live(self) -> int:
        if self._destroyed:
            raise RuntimeError("GraphNode has been destroyed")
        self._graph._live()
        return self._h

    def _read(self, getter: Any) -> Any:
        """getter(handle), remembered: a destroyed node reports what was last read (or given)."""
        if self._destroyed and self._cache is not None:
            return self._cache
        self._cache = getter(self._live())
        return self._cache

    def _deps(self) -> list[int]:
        self._graph._live()
        return [self._live()] if self._h else []

    def destroy(self) -> None:
        """Remove this node and its edges from the graph; later calls do nothing."""
        if self._destroyed or not self._h:
            return
        if self._graph.is_valid:
            facts = self._graph._root.facts
            inside = {g for inner in _kept.graphs_in(self._h, facts) for g in _kept.nested_graphs(inner, facts)}
            _ops.node_destroy(self._h)
            _kept.forget(facts, inside)  # the driver destroyed those graphs with the node
            facts.pop(self._h, None)
            _kept.release(facts, self._graph._h, self._h)  # as NVIDIA's (executables keep theirs)
        self._destroyed = True
        if _node_registry.get(self._h) is self:
            del _node_registry[self._h]

    # ---- dependencies

    @property
    def pred(self) -> AdjacencySetProxy:
        """The nodes this node depends on (a live set: adding or removing edits the graph)."""
        return AdjacencySetProxy(self, False)

    @pred.setter
    def pred(self, value: Iterable[GraphNode]) -> None:
        AdjacencySetProxy(self, False)._replace(value)

    @property
    def succ(self) -> AdjacencySetProxy:
        """The nodes depending on this node (a live set: adding or removing edits the graph)."""
        return AdjacencySetProxy(self, True)

    @succ.setter
    def succ(self, value: Iterable[GraphNode]) -> None:
        AdjacencySetProxy(self, True)._replace(value)

    # ---- adding nodes after this one

    def _add(self, cls: Any, handle: int, fact: Any = None, cache: Any = None) -> Any:
        node = cls._make(self._graph, handle)
        node._cache = cache
        if fact is not None:
            self._graph._root.facts[handle] = fact
        _node_registry[handle] = node
        return node

    def _keep(self, obj: Any, node: int) -> None:
        """Keep ``obj`` alive while ``node`` (a node handle of this graph) or an executable graph
        or clone made from it can use it.

        Buffers in it stay allocated even when closed: the graph frees them when it lets go."""
        self._retain(_held(obj), node)

    def _retain(self, obj: Any, node: int) -> None:
        """The graph holds ``obj`` until ``node`` is destroyed (its copies keep their own)."""
        _kept.record(self._graph._root.facts, self._graph._h, node, _ops.retain(self._graph._h, obj))

    def join(self, *nodes: GraphNode) -> EmptyNode:
        """An empty node depending on this node and on every node given."""
        from cuda.core.graph._subclasses import EmptyNode

        deps = self._deps()
        for node in nodes:
            if not isinstance(node, GraphNode):
                raise TypeError(f"join() takes graph nodes, not {type(node).__name__}")
            if node._graph._h != self._graph._h:
                raise ValueError("join() takes nodes of the same graph definition")
            if node._h:
                handle = node._live()
                if handle not in deps:
                    deps.append(handle)
        return self._add(EmptyNode, _ops.add_empty(self._graph._h, deps))

    def launch(self, config: LaunchConfig, kernel: Kernel, *args: Any) -> KernelNode:
        """A kernel node running ``kernel`` with ``config`` and ``args`` (packed as launch() packs them).

        Cluster and cooperative launches are not supported in graph kernel nodes. The arguments
        are kept alive with the graph: an argument that owns the graph makes a cycle that the
        garbage collector cannot break.
        """
        from cuda.core.graph._subclasses import KernelNode, check_launch

        deps = self._deps()
        check_launch(config, kernel)
        handle = _ops.add_kernel(self._graph._h, deps, config, kernel, args)
        self._keep((kernel, args), handle)
        return self._add(KernelNode, handle, (kernel, args))

    def memcpy(
        self, dst: Buffer | int, src: Buffer | int, size: int, *, dst_owner: Any = None, src_owner: Any = None
    ) -> MemcpyNode:
        """A node copying ``size`` bytes from ``src`` to ``dst`` (device or pinned host memory).

        A Buffer is kept alive with the graph; a raw address is not, unless an owner is given.
        """
        from cuda.core.graph._subclasses import MemcpyNode

        deps = self._deps()
        dst_ptr, dst_keep = address("dst", dst, dst_owner, "dst_owner")
        src_ptr, src_keep = address("src", src, src_owner, "src_owner")
        size = check_count("size", size, 0)
        handle = _ops.add_memcpy(self._graph._h, deps, dst_ptr, src_ptr, size)
        if dst_keep is not None or src_keep is not None:
            self._keep((dst_keep, src_keep), handle)
        return self._add(MemcpyNode, handle, cache=(dst_ptr, src_ptr, size, True))

    def memset(
        self, dst: Buffer | int, value: Any, width: int, height: int = 1, pitch: int = 0, *, dst_owner: Any = None
    ) -> MemsetNode:
        """A node filling ``height`` rows of ``width`` elements at ``dst`` with ``value``.

        ``value`` is an int (one byte) or a buffer of 1, 2 or 4 bytes (the element size);
        ``pitch`` is the row stride in bytes (for more than one row).
        """
        from cuda.core.graph._subclasses import MemsetNode

        deps = self._deps()
        dst_ptr, keep = address("dst", dst, dst_owner, "dst_owner")
        fill, element_size = fill_value(value)
        width = check_count("width", width, 1)
        height = check_count("height", height, 1)
        pitch = check_count("pitch", pitch, 0)
        if height > 1 and pitch < width * element_size:
            raise ValueError(f"pitch must be at least width * element size ({width * element_size}) for 2-D memsets")
        handle = _ops.add_memset(self._graph._h, deps, dst_ptr, fill, element_size, width, height, pitch)
        if keep is not None:
            self._keep(keep, handle)
        return self._add(MemsetNode, handle, cache=(dst_ptr, fill, element_size, width, height, pitch))

    def allocate(
        self, size: int, *, device: Any = None, memory_type: Any = "device", peer_access: Any = None
    ) -> AllocNode:
        """A node allocating ``size`` bytes (graph-owned memory); its ``dptr`` is the address.

        ``memory_type``: a GraphMemoryType or its value ("device", "host" or "managed").
        ``peer_access``: devices (or ordinals) that may read and write it too.
        """
        from cuda.core.graph._subclasses import AllocNode, memory_type_index, ordinal

        deps = self._deps()
        size = check_count("size", size, 0)  # 0: the driver's error says why
        kind = memory_type_index(memory_type)
        dev = _ops_current_device() if device is None else ordinal(device)
        peers = [ordinal(p) for p in (peer_access or ())]
        handle, dptr = _ops.add_alloc(self._graph._h, deps, size, dev, kind, peers)
        return self._add(AllocNode, handle, cache=(dptr, size, dev, kind, tuple(peers)))

    def deallocate(self, dptr: int) -> FreeNode:
        """A node freeing graph memory at ``dptr`` (an AllocNode's ``dptr``)."""
        from cuda.core.graph._subclasses import FreeNode

        deps = self._deps()
        if isinstance(dptr, bool) or not isinstance(dptr, int):
            raise TypeError(f"dptr must be an int address, not {type(dptr).__name__}")
        return self._add(FreeNode, _ops.add_free(self._graph._h, deps, dptr), cache=dptr)

    def embed(self, child: GraphDefinition) -> ChildGraphNode:
        """A node running a copy of ``child`` (taken now: later edits of ``child`` do not reach it)."""
        from cuda.core.graph._graph_definition import GraphDefinition
        from cuda.core.graph._subclasses import ChildGraphNode

        deps = self._deps()
        if not isinstance(child, GraphDefinition):
            raise TypeError(f"child must be a GraphDefinition, not {type(child).__name__}")
        source = child._live()
        node = self._add(ChildGraphNode, _ops.add_child(self._graph._h, deps, source))
        _kept.copy_records(child._root.facts, source, _ops.child_graph(node._h), self._graph._root.facts)
        return node

    def record(self, event: Event) -> EventRecordNode:
        """A node recording ``event``."""
        from cuda.core.graph._subclasses import EventRecordNode, event_handle

        deps = self._deps()
        handle = _ops.add_event(self._graph._h, deps, event_handle(event), True)
        self._keep(event, handle)
        return self._add(EventRecordNode, handle, event)

    def wait(self, event: Event) -> EventWaitNode:
        """A node waiting for ``event``."""
        from cuda.core.graph._subclasses import EventWaitNode, event_handle

        deps = self._deps()
        handle = _ops.add_event(self._graph._h, deps, event_handle(event), False)
        self._keep(event, handle)
        return self._add(EventWaitNode, handle, event)

    def callback(self, fn: Any, *, user_data: Any = None) -> HostCallbackNode:
        """A node calling ``fn`` on the host.

        ``fn`` is a Python callable taking no arguments (it runs with the GIL; it must not call
        CUDA), or a ctypes function pointer of type ``CFUNCTYPE(None, c_void_p)``, called with
        ``user_data``: an int address, or bytes copied and kept with the graph.
        """
        from cuda.core.graph._subclasses import HostCallbackNode, host_function

        deps = self._deps()
        address, data, keep = host_function(fn, user_data)
        handle = _ops.add_host(self._graph._h, deps, address, data)
        self._keep(keep, handle)
        return self._add(HostCallbackNode, handle, fn)

    def _conditional(self, cls: Any, condition: GraphCondition, kind: int, size: int) -> Any:
        from cuda.core.graph._graph_definition import GraphCondition

        deps = self._deps()
        if not isinstance(condition, GraphCondition):
            raise TypeError(f"condition must be a GraphCondition, got {type(condition).__name__}")
        handle, bodies = _ops.add_conditional(self._graph._h, deps, condition._value, kind, size)
        return self._add(cls, handle, (condition, kind, tuple(bodies)))

    def if_then(self, condition: GraphCondition) -> IfNode:
        """A node running its ``then`` graph when ``condition`` is non-zero."""
        from cuda.core.graph._subclasses import IfNode

        return self._conditional(IfNode, condition, 0, 1)

    def if_else(self, condition: GraphCondition) -> IfElseNode:
        """A node running its ``then`` graph when ``condition`` is non-zero, else its ``else_`` graph."""
        from cuda.core.graph._subclasses import IfElseNode

        return self._conditional(IfElseNode, condition, 0, 2)

    def while_loop(self, condition: GraphCondition) -> WhileNode:
        """A node running its ``body`` graph again and again while ``condition`` is non-zero."""
        from cuda.core.graph._subclasses import WhileNode

        return self._conditional(WhileNode, condition, 1, 1)

    def switch(self, condition: GraphCondition, count: int) -> SwitchNode:
        """A node running branch number ``condition`` of its ``count`` branches (none if out of range)."""
        from cuda.core.graph._subclasses import SwitchNode

        return self._conditional(SwitchNode, condition, 2, check_count("count", count, 0))


def _ops_current_device() -> int:
    from cuda.core._device import Device

    return Device().device_id


class AdjacencySetProxy(MutableSet):
    """The predecessors (or successors) of a node as a mutable set; changes edit the graph."""

    __slots__ = ("_forward", "_node")

    def __init__(self, node: GraphNode, forward: bool) -> None:
        self._node = node
        self._forward = forward

    @classmethod
    def _from_iterable(cls, it: Iterable[Any]) -> set[Any]:  # type: ignore[override]
        return set(it)  # set operators (a | b, a - b...) give plain sets

    def _handles(self) -> list[int]:
        node = self._node
        if not node._h or not node.is_valid:
            return []
        return _ops.node_neighbours(node._h, self._forward)

    def __iter__(self) -> Iterator[GraphNode]:
        graph = self._node._graph
        return iter([node_of(graph, h) for h in self._handles()])

    def __len__(self) -> int:
        return len(self._handles())

    def __contains__(self, x: object) -> bool:
        return isinstance(x, GraphNode) and x._h != 0 and x._h in self._handles()

    def _edges(self, others: Iterable[Any]) -> tuple[list[int], list[int]]:
        me = self._node._live()
        if not me:
            raise RuntimeError("a graph definition's entry point has no edges")
        handles = []
        for other in others:
            if not isinstance(other, GraphNode):
                raise TypeError(f"expected GraphNode, got {type(other).__name__}")
            if other._destroyed or not other._h:
                from cuda.core._errors import driver_error

                raise driver_error(1)  # CUDA_ERROR_INVALID_VALUE: the node is not in the graph
            handles.append(other._h)  # another graph's node, or self: the driver says why not
        if self._forward:
            return [me] * len(handles), handles
        return handles, [me] * len(handles)

    def add(self, value: GraphNode) -> None:
        if value not in self:
            _ops.edges_add(self._node._graph._h, *self._edges([value]))

    def discard(self, value: GraphNode) -> None:
        if value in self:
            _ops.edges_remove(self._node._graph._h, *self._edges([value]))

    def clear(self) -> None:
        """Remove every edge, in one driver call."""
        current = [node_of(self._node._graph, h) for h in self._handles()]
        if current:
            _ops.edges_remove(self._node._graph._h, *self._edges(current))

    def update(self, *others: Iterable[GraphNode]) -> None:
        """Add edges to every node of ``others``, in one driver call."""
        have = set(self._handles())
        new = {}
        for it in others:
            for node in it:
                if isinstance(node, GraphNode) and node._h in have:
                    continue
                new[id(node)] = node
        if new:
            _ops.edges_add(self._node._graph._h, *self._edges(new.values()))

    def _replace(self, value: Iterable[GraphNode]) -> None:
        """Make the set exactly ``value`` (x.succ |= ... assigns the proxy itself back: a no-op)."""
        if isinstance(value, AdjacencySetProxy) and value._node is self._node and value._forward == self._forward:
            return
        new = list(value)
        keep = {n._h for n in new if isinstance(n, GraphNode)}
        gone = [node_of(self._node._graph, h) for h in self._handles() if h not in keep]
        if gone:
            _ops.edges_remove(self._node._graph._h, *self._edges(gone))
        self.update(new)

    def __ior__(self, it: Iterable[GraphNode]) -> AdjacencySetProxy:  # type: ignore[override,misc]
        self.update(it)
        return self

    def __isub__(self, it: Iterable[Any]) -> AdjacencySetProxy:  # type: ignore[override]
        have = set(self._handles())
        gone = [n for n in it if isinstance(n, GraphNode) and n._h in have]
        if gone:
            _ops.edges_remove(self._node._graph._h, *self._edges(gone))
        return self

    def __repr__(self) -> str:
        return "{" + ", ".join(repr(n) for n in self) + "}"
