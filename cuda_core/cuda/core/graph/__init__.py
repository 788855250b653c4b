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


__getattr__, __dir__ = lazy_names(__name__, _WHERE)
