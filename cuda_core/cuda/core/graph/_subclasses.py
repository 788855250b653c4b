# SPDX-License-Identifier: Apache-2.0
"""The kinds of GraphNode, one class per CUgraphNodeType, with their parameters as properties."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cuda.core._errors import CUDAError
from cuda.core.graph import _kept, _ops
from cuda.core.graph._graph_node import GraphNode, address, check_count, fill_value

if TYPE_CHECKING:
    from cuda.core._event import Event
    from cuda.core._launch import LaunchConfig
    from cuda.core._module import Kernel
    from cuda.core.graph._graph_definition import GraphCondition, GraphDefinition

__all__ = [
    "AllocNode",
    "ChildGraphNode",
    "ConditionalNode",
    "EmptyNode",
    "EventRecordNode",
    "EventWaitNode",
    "FreeNode",
    "HostCallbackNode",
    "IfElseNode",
    "IfNode",
    "KernelNode",
    "MemcpyNode",
    "MemsetNode",
    "SwitchNode",
    "WhileNode",
]

_MEMORY_TYPES = ("device", "host", "managed")  # add_alloc's numbering
_COND_TYPES = ("if", "while", "switch")  # CUgraphConditionalNodeType's numbering


# ---- argument checks shared by the adding and updating methods


def check_launch(config: Any, kernel: Any, verb: str = "") -> None:
    from cuda.core._launch import LaunchConfig
    from cuda.core._module import Kernel

    if not isinstance(config, LaunchConfig):
        raise TypeError(f"config must be a LaunchConfig, not {type(config).__name__}")
    if not isinstance(kernel, Kernel):
        raise TypeError(f"kernel must be a Kernel, not {type(kernel).__name__}")
    if config.cluster is not None or config.is_cooperative:
        if verb:
            raise NotImplementedError("updating clustered or cooperative kernel nodes is not supported")
        raise NotImplementedError("clustered or cooperative graph kernel nodes are not supported")


def memory_type_index(memory_type: Any) -> int:
    value = getattr(memory_type, "value", memory_type)
    if value not in _MEMORY_TYPES:
        raise ValueError(f"Invalid memory_type {memory_type!r}: expected a GraphMemoryType or one of {_MEMORY_TYPES}")
    return _MEMORY_TYPES.index(value)


def ordinal(device: Any) -> int:
    value = getattr(device, "device_id", device)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a device is a Device or an int ordinal, not {type(device).__name__}")
    if value < 0:
        raise ValueError(f"a device ordinal is >= 0, got {value}")
    return value


def event_handle(event: Any) -> int:
    from cuda.core._event import Event

    if not isinstance(event, Event):
        raise TypeError(f"event must be an Event, not {type(event).__name__}")
    if event.is_closed:
        raise RuntimeError("the event is closed")
    return int(event.handle)


def host_function(fn: Any, user_data: Any) -> tuple[int, int, Any]:
    """(C function address, its user data, object to keep alive) for a host callback."""
    import ctypes

    if isinstance(fn, _cfunc_type()):
        if fn.restype is not None or tuple(fn.argtypes or ()) != (ctypes.c_void_p,):
            raise TypeError("a ctypes callback must match CUhostFn, void (*)(void*): CFUNCTYPE(None, ctypes.c_void_p)")
        if user_data is None:
            return ctypes.cast(fn, ctypes.c_void_p).value or 0, 0, fn
        if isinstance(user_data, int) and not isinstance(user_data, bool):
            return ctypes.cast(fn, ctypes.c_void_p).value or 0, user_data, fn
        try:
            data = bytes(memoryview(user_data).cast("B"))
        except TypeError:
            raise TypeError(f"user_data must be an int address or bytes-like, not {type(user_data).__name__}") from None
        copy = ctypes.create_string_buffer(data, len(data) or 1)  # kept with the graph
        return ctypes.cast(fn, ctypes.c_void_p).value or 0, ctypes.addressof(copy), (fn, copy)
    if not callable(fn):
        raise TypeError(f"fn must be callable or a ctypes function pointer, not {type(fn).__name__}")
    if user_data is not None:
        raise ValueError(
            "user_data is only supported with ctypes function pointers: bind a Python callable's state with a "
            "closure or functools.partial"
        )
    return _ops.python_callback(), id(fn), fn


def _cfunc_type() -> Any:
    """The base class of ctypes function pointers (private in ctypes, hence the lookup)."""
    import ctypes

    return ctypes.CFUNCTYPE(None).__mro__[1]


def class_of(graph: GraphDefinition, handle: int) -> Any:
    """The node class for ``handle``, from its type (and, for conditionals, what we recorded)."""
    kind = _ops.node_type(handle)
    if kind == 13:  # CU_GRAPH_NODE_TYPE_CONDITIONAL
        fact = graph._root.facts.get(handle)
        if fact is None:
            found = _ops.conditional_params(handle)  # CUDA 13.2+ drivers say what it is
            if found is None:
                return ConditionalNode
            from cuda.core.graph._graph_definition import GraphCondition

            value, cond_kind, bodies = found
            fact = (GraphCondition._make(value, graph._h), cond_kind, tuple(bodies))
            graph._root.facts[handle] = fact
        _, cond_kind, bodies = fact
        if cond_kind == 0:
            return IfElseNode if len(bodies) == 2 else IfNode
        return WhileNode if cond_kind == 1 else SwitchNode
    return _BY_TYPE.get(kind, GraphNode)


class EmptyNode(GraphNode):
    """A node that does nothing: it joins dependencies."""


class KernelNode(GraphNode):
    """A kernel launch."""

    def _repr_extra(self) -> str:
        return f" kernel=0x{int(self.kernel.handle):x}"

    def _params(self) -> tuple:
        return self._read(_ops.kernel_params)

    @property
    def grid(self) -> tuple[int, int, int]:
        """Blocks in the grid, as (x, y, z)."""
        return self._params()[0]

    @property
    def block(self) -> tuple[int, int, int]:
        """Threads per block, as (x, y, z)."""
        return self._params()[1]

    @property
    def shmem_size(self) -> int:
        """Dynamic shared memory per block, in bytes."""
        return self._params()[2]

    @property
    def kernel(self) -> Kernel:
        """The Kernel launched."""
        fact = self._graph._root.facts.get(self._h)
        if fact is None:
            from cuda.core._module import Kernel

            return Kernel.from_handle(self._params()[3])
        return fact[0]

    @property
    def config(self) -> LaunchConfig:
        """A LaunchConfig of the node's grid, block and shared memory size."""
        from cuda.core._launch import LaunchConfig

        grid, block, shmem, _ = self._params()
        return LaunchConfig(grid=grid, block=block, shmem_size=shmem)

    def update(self, *, config: LaunchConfig | None = None, kernel: Kernel | None = None, args: Any = None) -> None:
        """Change the launch of this node in its definition (graphs instantiated later see it).

        What is not given stays; a new ``kernel`` needs its ``args``.
        """
        handle = self._live()
        if kernel is not None and args is None:
            raise ValueError("changing kernel requires args")
        if config is not None:
            check_launch(config, self.kernel if kernel is None else kernel, "updating ")
        if kernel is None and args is None:
            if config is not None:
                _ops.set_kernel_config(handle, config)
            return
        kernel = self.kernel if kernel is None else kernel
        config = self.config if config is None else config
        check_launch(config, kernel, "updating ")
        args = tuple(args)
        _ops.set_kernel(0, handle, config, kernel, args)
        self._retain((kernel, args), handle)
        self._graph._root.facts[handle] = (kernel, args)


class AllocNode(GraphNode):
    """An allocation of graph-owned memory; ``dptr`` is its address."""

    def _repr_extra(self) -> str:
        dptr, size = self._params()[:2]
        return f" dptr=0x{dptr:x} size={size}"

    def _params(self) -> tuple:
        return self._read(_ops.alloc_params)

    @property
    def dptr(self) -> int:
        """The address of the allocation."""
        return self._params()[0]

    @property
    def bytesize(self) -> int:
        """Its size in bytes."""
        return self._params()[1]

    @property
    def device_id(self) -> int:
        """The device it is allocated on."""
        return self._params()[2]

    @property
    def memory_type(self):
        """A GraphMemoryType: DEVICE, HOST or MANAGED."""
        from cuda.core.typing import GraphMemoryType

        return GraphMemoryType(_MEMORY_TYPES[self._params()[3]])

    @property
    def peer_access(self) -> tuple[int, ...]:
        """Ordinals of the devices that may read and write it besides its own."""
        return self._params()[4]


class FreeNode(GraphNode):
    """A free of graph-owned memory."""

    def _repr_extra(self) -> str:
        return f" dptr=0x{self.dptr:x}"

    @property
    def dptr(self) -> int:
        """The address freed."""
        return self._read(_ops.free_params)


class MemsetNode(GraphNode):
    """A fill of memory with a 1-, 2- or 4-byte value."""

    def _repr_extra(self) -> str:
        dptr, value = self._params()[:2]
        return f" dptr=0x{dptr:x} value={value}"

    def _params(self) -> tuple:
        return self._read(_ops.memset_params)

    @property
    def dptr(self) -> int:
        """The address filled."""
        return self._params()[0]

    @property
    def value(self) -> int:
        """The fill value."""
        return self._params()[1]

    @property
    def element_size(self) -> int:
        """The size of the fill value in bytes: 1, 2 or 4."""
        return self._params()[2]

    @property
    def width(self) -> int:
        """Elements per row."""
        return self._params()[3]

    @property
    def height(self) -> int:
        """Rows."""
        return self._params()[4]

    @property
    def pitch(self) -> int:
        """Bytes from one row to the next (unused for one row)."""
        return self._params()[5]

    def update(
        self,
        *,
        dst: Any = None,
        value: Any = None,
        width: int | None = None,
        height: int | None = None,
        pitch: int | None = None,
        dst_owner: Any = None,
    ) -> None:
        """Change this fill in its definition; what is not given stays."""
        handle = self._live()
        if dst_owner is not None and dst is None:
            raise ValueError("dst_owner requires dst")
        cur_dst, cur_value, cur_size, cur_width, cur_height, cur_pitch = _ops.memset_params(handle)
        keep = None
        if dst is not None:
            cur_dst, keep = address("dst", dst, dst_owner, "dst_owner")
        if value is not None:
            cur_value, cur_size = fill_value(value, cur_size if isinstance(value, int) else None)
        cur_width = cur_width if width is None else check_count("width", width, 1)
        cur_height = cur_height if height is None else check_count("height", height, 1)
        cur_pitch = cur_pitch if pitch is None else check_count("pitch", pitch, 0)
        _ops.set_memset(0, handle, cur_dst, cur_value, cur_size, cur_width, cur_height, cur_pitch)
        if keep is not None:
            self._retain(keep, handle)


class MemcpyNode(GraphNode):
    """A copy of bytes between device or pinned host memory."""

    def _repr_extra(self) -> str:
        dst, src, size, _ = self._params()
        return f" dst=0x{dst:x}({_ops.memory_letter(dst)}) src=0x{src:x}({_ops.memory_letter(src)}) size={size}"

    def _params(self) -> tuple:
        return self._read(_ops.memcpy_params)

    @property
    def dst(self) -> int:
        """The destination address."""
        return self._params()[0]

    @property
    def src(self) -> int:
        """The source address."""
        return self._params()[1]

    @property
    def size(self) -> int:
        """Bytes copied."""
        return self._params()[2]

    def update(
        self,
        *,
        dst: Any = None,
        src: Any = None,
        size: int | None = None,
        dst_owner: Any = None,
        src_owner: Any = None,
    ) -> None:
        """Change this copy in its definition; what is not given stays (1-D copies only)."""
        handle = self._live()
        if dst_owner is not None and dst is None:
            raise ValueError("dst_owner requires dst")
        if src_owner is not None and src is None:
            raise ValueError("src_owner requires src")
        keep = []
        new_dst = new_src = None
        if dst is not None:
            new_dst, owner = address("dst", dst, dst_owner, "dst_owner")
            keep.append(owner)
        if src is not None:
            new_src, owner = address("src", src, src_owner, "src_owner")
            keep.append(owner)
        if size is not None:
            size = check_count("size", size, 0)
        cur_dst, cur_src, cur_size, plain = _ops.memcpy_params(handle)
        if not plain:
            raise NotImplementedError(
                "updating multidimensional, pitched, offset, or array-backed memcpy nodes is not supported"
            )
        _ops.set_memcpy(
            0,
            handle,
            cur_dst if new_dst is None else new_dst,
            cur_src if new_src is None else new_src,
            cur_size if size is None else size,
        )
        if any(k is not None for k in keep):
            self._retain(tuple(keep), handle)


class ChildGraphNode(GraphNode):
    """A node running a graph of its own (the copy of a definition taken by ``embed``)."""

    def _repr_extra(self) -> str:
        return f" child=0x{_ops.child_graph(self._h) if self.is_valid else 0:x}"

    @property
    def child_graph(self) -> GraphDefinition:
        """The node's graph, as a GraphDefinition that the node owns."""
        from cuda.core.graph._graph_definition import GraphDefinition

        return GraphDefinition._view(self._graph._root, _ops.child_graph(self._live()), self)

    def update(self, child: GraphDefinition) -> None:
        """Make this node run a copy of ``child`` (same topology as its graph now) from now on."""
        from cuda.core.graph._graph_definition import GraphDefinition

        handle = self._live()
        if not isinstance(child, GraphDefinition):
            raise TypeError(f"child must be a GraphDefinition, not {type(child).__name__}")
        root = self._graph._root
        if child._root is root:  # the replacement destroys graphs of this hierarchy: refused first, as NVIDIA's
            raise CUDAError(
                "a child graph node cannot be updated from a graph of its own hierarchy (its parent, its "
                "child graph or a graph nested in them): the update would destroy it while reading it"
            )
        old = _kept.nested_graphs(_ops.child_graph(handle), root.facts)
        source = child._live()
        _ops.set_child(0, handle, source)
        key = ("child-generation", handle)
        root.facts[key] = root.facts.get(key, 0) + 1  # views of the old child graph are invalid now
        _kept.forget(root.facts, old)
        _kept.copy_records(child._root.facts, source, _ops.child_graph(handle), root.facts)


class _EventNode(GraphNode):
    _record = True

    def _repr_extra(self) -> str:
        return f" event=0x{_ops.event_of(self._h, self._record) if self.is_valid else 0:x}"

    @property
    def event(self) -> Event:
        """The Event."""
        event = self._graph._root.facts.get(self._h)
        if event is None or int(event.handle) != _ops.event_of(self._live(), self._record):
            from cuda.core._event import Event

            event = Event._from_handle(_ops.event_of(self._live(), self._record))
        return event

    def update(self, event: Event) -> None:
        """Make this node use ``event`` from now on."""
        handle = self._live()
        _ops.set_event(0, handle, event_handle(event), self._record)
        self._retain(event, handle)
        self._graph._root.facts[handle] = event


class EventRecordNode(_EventNode):
    """A record of an Event."""


class EventWaitNode(_EventNode):
    """A wait for an Event."""

    _record = False


class HostCallbackNode(GraphNode):
    """A call of a host function."""

    @property
    def callback(self):
        """The Python callable (None for a ctypes function pointer)."""
        return _ops.python_callback_of(self._live())

    def update(self, fn: Any, *, user_data: Any = None) -> None:
        """Make this node call ``fn`` from now on (as GraphNode.callback takes it)."""
        handle = self._live()
        address_, data, keep = host_function(fn, user_data)
        _ops.set_host(0, handle, address_, data)
        self._retain(keep, handle)
        self._graph._root.facts[handle] = fn

    def __repr__(self) -> str:
        fn = self._graph._root.facts.get(self._h)
        import ctypes

        if isinstance(fn, _cfunc_type()):
            return f"<HostCallbackNode handle=0x{self._h:x} cfunc=0x{ctypes.cast(fn, ctypes.c_void_p).value or 0:x}>"
        fn = self.callback if self.is_valid else fn
        return f"<HostCallbackNode handle=0x{self._h:x} callback={getattr(fn, '__name__', type(fn).__name__)}>"


class ConditionalNode(GraphNode):
    """A node whose branch graphs run as a condition says (IfNode, IfElseNode, WhileNode, SwitchNode).

    A conditional node found in a graph without a record of how it was made (a captured one)
    has its kind, condition and branches read back from a CUDA 13.2+ driver; on an older one it
    is of this class, with no condition, type or branches.
    """

    def _repr_extra(self) -> str:
        condition = self.condition
        return f" condition=0x{0 if condition is None else condition._value:x}"

    def _fact(self) -> tuple | None:
        return self._graph._root.facts.get(self._h)

    @property
    def condition(self) -> GraphCondition | None:
        """The GraphCondition that decides."""
        fact = self._fact()
        return None if fact is None else fact[0]

    @property
    def cond_type(self):
        """A GraphConditionalType: IF, WHILE or SWITCH."""
        from cuda.core.typing import GraphConditionalType

        fact = self._fact()
        return None if fact is None else GraphConditionalType(_COND_TYPES[fact[1]])

    @property
    def branches(self) -> tuple[GraphDefinition, ...]:
        """The body graph of each branch, as GraphDefinitions the node owns."""
        from cuda.core.graph._graph_definition import GraphDefinition

        fact = self._fact()
        if fact is None:
            return ()
        self._live()
        return tuple(GraphDefinition._view(self._graph._root, body, self) for body in fact[2])


class IfNode(ConditionalNode):
    """Runs ``then`` when the condition is non-zero."""

    @property
    def then(self) -> GraphDefinition:
        """The graph run when the condition is non-zero."""
        return self.branches[0]


class IfElseNode(ConditionalNode):
    """Runs ``then`` when the condition is non-zero, else ``else_``."""

    @property
    def then(self) -> GraphDefinition:
        """The graph run when the condition is non-zero."""
        return self.branches[0]

    @property
    def else_(self) -> GraphDefinition:
        """The graph run when the condition is zero."""
        return self.branches[1]


class WhileNode(ConditionalNode):
    """Runs ``body`` while the condition is non-zero (checked before each run)."""

    @property
    def body(self) -> GraphDefinition:
        """The loop's body graph."""
        return self.branches[0]


class SwitchNode(ConditionalNode):
    """Runs branch number N, N being the condition's value (none when out of range)."""


# CUgraphNodeType values
_BY_TYPE = {
    0: KernelNode,
    1: MemcpyNode,
    2: MemsetNode,
    3: HostCallbackNode,
    4: ChildGraphNode,
    5: EmptyNode,
    6: EventWaitNode,
    7: EventRecordNode,
    10: AllocNode,
    11: FreeNode,
    13: ConditionalNode,
}
