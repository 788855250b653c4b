# SPDX-License-Identifier: Apache-2.0
"""Options for instantiating a graph and for printing it, and the two calls that use them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from cuda.core.graph import _ops

if TYPE_CHECKING:
    from cuda.core._stream import Stream
    from cuda.core.graph._graph_builder import Graph

__all__ = ["GraphCompleteOptions", "GraphDebugPrintOptions"]


@dataclass
class GraphCompleteOptions:
    """How a graph is instantiated.

    auto_free_on_launch: free the graph's own allocations that are still live when it is
    launched again. upload_stream: upload the graph on this stream once instantiated.
    device_launch: the graph may be launched from device code (not with auto_free_on_launch).
    use_node_priority: launch kernel nodes with their own priority, not their stream's.
    """

    auto_free_on_launch: bool = False
    upload_stream: Stream | None = None
    device_launch: bool = False
    use_node_priority: bool = False


@dataclass
class GraphDebugPrintOptions:
    """What ``debug_dot_print`` writes besides the topology: each field adds one kind of
    detail (``verbose`` adds all of them)."""

    verbose: bool = False
    runtime_types: bool = False
    kernel_node_params: bool = False
    memcpy_node_params: bool = False
    memset_node_params: bool = False
    host_node_params: bool = False
    event_node_params: bool = False
    ext_semas_signal_node_params: bool = False
    ext_semas_wait_node_params: bool = False
    kernel_node_attributes: bool = False
    handles: bool = False
    mem_alloc_node_params: bool = False
    mem_free_node_params: bool = False
    batch_mem_op_node_params: bool = False
    extra_topo_info: bool = False
    conditional_node_params: bool = False

    def _to_flags(self) -> int:
        """The CUgraphDebugDot_flags: the fields are in the order of its bits."""
        return sum(1 << i for i, f in enumerate(fields(self)) if getattr(self, f.name))


def debug_flags(options: Any) -> int:
    if options is None:
        return 0
    if not isinstance(options, GraphDebugPrintOptions):
        raise TypeError(f"options must be a GraphDebugPrintOptions instance, not {type(options).__name__}")
    return options._to_flags()


# CUgraphInstantiate_flags
_AUTO_FREE_ON_LAUNCH = 1
_UPLOAD = 2
_DEVICE_LAUNCH = 4
_USE_NODE_PRIORITY = 8


def instantiate(graph: int, options: Any, source: Any) -> Graph:
    """An executable Graph of the CUgraph ``graph``; ``source`` (its definition) resolves nodes."""
    from cuda.core._stream import Stream
    from cuda.core.graph._graph_builder import Graph

    flags = 0
    upload = 0
    if options:  # None or another false value: the defaults, as NVIDIA's take it
        if not isinstance(options, GraphCompleteOptions):
            raise TypeError(f"options must be a GraphCompleteOptions, not {type(options).__name__}")
        if options.device_launch and options.auto_free_on_launch:
            raise ValueError("device_launch cannot be combined with auto_free_on_launch")
        if options.auto_free_on_launch:
            flags |= _AUTO_FREE_ON_LAUNCH
        if options.device_launch:
            flags |= _DEVICE_LAUNCH
        if options.use_node_priority:
            flags |= _USE_NODE_PRIORITY
        if options.upload_stream is not None:
            stream = options.upload_stream
            if not isinstance(stream, Stream):
                raise TypeError(f"upload_stream must be a Stream, not {type(stream).__name__}")
            flags |= _UPLOAD
            upload = int(stream.handle)
    return Graph._from_exec(_ops.instantiate(graph, flags, upload), source)
