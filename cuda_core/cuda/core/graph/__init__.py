# SPDX-License-Identifier: Apache-2.0
"""cuda.core.graph: CUDA graphs.

Today this holds graphs recorded by stream capture: ``GraphBuilder`` (made by
``Device.create_graph_builder()`` or ``Stream.create_graph_builder()``) and the executable
``Graph`` it completes into. Each name is imported from its module on first use.
"""

from cuda.core._lazy import lazy_names

_WHERE = {
    "Graph": "_graph_builder",
    "GraphBuilder": "_graph_builder",
}

__all__ = list(_WHERE)

# What type checkers see (at run time each name is imported on first use, below).
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from cuda.core._graph_builder import Graph as Graph
    from cuda.core._graph_builder import GraphBuilder as GraphBuilder

    __all__ = [  # the names above, as a list a type checker reads (at run time: from _WHERE)
        "Graph",
        "GraphBuilder",
    ]


__getattr__, __dir__ = lazy_names(__name__, _WHERE)
