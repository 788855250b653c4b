# SPDX-License-Identifier: Apache-2.0
"""cuda.core.graph: CUDA graphs.

Two ways to make one: record the work queued on a stream (``GraphBuilder``, from
``Device.create_graph_builder()`` or ``Stream.create_graph_builder()``), or build it node by node
(``GraphDefinition``: kernel, copy, fill, host callback, event, child graph, allocation and
conditional nodes, with edges to query and edit). Either gives an executable ``Graph`` to launch on
a stream, update with new parameters, or change node by node (``graph[node]``).
Each name is imported from its module on first use.
"""

from cuda.core._lazy import lazy_names

_WHERE = {
    "AllocNode": "graph._subclasses",
    "ChildGraphNode": "graph._subclasses",
    "ConditionalNode": "graph._subclasses",
    "EmptyNode": "graph._subclasses",
    "EventRecordNode": "graph._subclasses",
    "EventWaitNode": "graph._subclasses",
    "ExecutableChildGraphNode": "graph._executable",
    "ExecutableEventRecordNode": "graph._executable",
    "ExecutableEventWaitNode": "graph._executable",
    "ExecutableGraphNode": "graph._executable",
    "ExecutableHostCallbackNode": "graph._executable",
    "ExecutableKernelNode": "graph._executable",
    "ExecutableMemcpyNode": "graph._executable",
    "ExecutableMemsetNode": "graph._executable",
    "FreeNode": "graph._subclasses",
    "Graph": "graph._graph_builder",
    "GraphBuilder": "graph._graph_builder",
    "GraphCompleteOptions": "graph._options",
    "GraphCondition": "graph._graph_definition",
    "GraphDebugPrintOptions": "graph._options",
    "GraphDefinition": "graph._graph_definition",
    "GraphNode": "graph._graph_node",
    "HostCallbackNode": "graph._subclasses",
    "IfElseNode": "graph._subclasses",
    "IfNode": "graph._subclasses",
    "KernelNode": "graph._subclasses",
    "MemcpyNode": "graph._subclasses",
    "MemsetNode": "graph._subclasses",
    "SwitchNode": "graph._subclasses",
    "WhileNode": "graph._subclasses",
}

__all__ = list(_WHERE)

# What type checkers see (at run time each name is imported on first use, below).
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from cuda.core.graph._executable import ExecutableChildGraphNode as ExecutableChildGraphNode
    from cuda.core.graph._executable import ExecutableEventRecordNode as ExecutableEventRecordNode
    from cuda.core.graph._executable import ExecutableEventWaitNode as ExecutableEventWaitNode
    from cuda.core.graph._executable import ExecutableGraphNode as ExecutableGraphNode
    from cuda.core.graph._executable import ExecutableHostCallbackNode as ExecutableHostCallbackNode
    from cuda.core.graph._executable import ExecutableKernelNode as ExecutableKernelNode
    from cuda.core.graph._executable import ExecutableMemcpyNode as ExecutableMemcpyNode
    from cuda.core.graph._executable import ExecutableMemsetNode as ExecutableMemsetNode
    from cuda.core.graph._graph_builder import Graph as Graph
    from cuda.core.graph._graph_builder import GraphBuilder as GraphBuilder
    from cuda.core.graph._graph_definition import GraphCondition as GraphCondition
    from cuda.core.graph._graph_definition import GraphDefinition as GraphDefinition
    from cuda.core.graph._graph_node import GraphNode as GraphNode
    from cuda.core.graph._options import GraphCompleteOptions as GraphCompleteOptions
    from cuda.core.graph._options import GraphDebugPrintOptions as GraphDebugPrintOptions
    from cuda.core.graph._subclasses import AllocNode as AllocNode
    from cuda.core.graph._subclasses import ChildGraphNode as ChildGraphNode
    from cuda.core.graph._subclasses import ConditionalNode as ConditionalNode
    from cuda.core.graph._subclasses import EmptyNode as EmptyNode
    from cuda.core.graph._subclasses import EventRecordNode as EventRecordNode
    from cuda.core.graph._subclasses import EventWaitNode as EventWaitNode
    from cuda.core.graph._subclasses import FreeNode as FreeNode
    from cuda.core.graph._subclasses import HostCallbackNode as HostCallbackNode
    from cuda.core.graph._subclasses import IfElseNode as IfElseNode
    from cuda.core.graph._subclasses import IfNode as IfNode
    from cuda.core.graph._subclasses import KernelNode as KernelNode
    from cuda.core.graph._subclasses import MemcpyNode as MemcpyNode
    from cuda.core.graph._subclasses import MemsetNode as MemsetNode
    from cuda.core.graph._subclasses import SwitchNode as SwitchNode
    from cuda.core.graph._subclasses import WhileNode as WhileNode

    __all__ = [  # the names above, as a list a type checker reads (at run time: from _WHERE)
        "AllocNode",
        "ChildGraphNode",
        "ConditionalNode",
        "EmptyNode",
        "EventRecordNode",
        "EventWaitNode",
        "ExecutableChildGraphNode",
        "ExecutableEventRecordNode",
        "ExecutableEventWaitNode",
        "ExecutableGraphNode",
        "ExecutableHostCallbackNode",
        "ExecutableKernelNode",
        "ExecutableMemcpyNode",
        "ExecutableMemsetNode",
        "FreeNode",
        "Graph",
        "GraphBuilder",
        "GraphCompleteOptions",
        "GraphCondition",
        "GraphDebugPrintOptions",
        "GraphDefinition",
        "GraphNode",
        "HostCallbackNode",
        "IfElseNode",
        "IfNode",
        "KernelNode",
        "MemcpyNode",
        "MemsetNode",
        "SwitchNode",
        "WhileNode",
    ]


__getattr__, __dir__ = lazy_names(__name__, _WHERE)
