"""cuda.core.graph: CUDA graphs.

Today this holds graphs recorded by stream capture: ``GraphBuilder`` (made by
``Device.create_graph_builder()`` or ``Stream.create_graph_builder()``) and the executable
``Graph`` it completes into. Each name is imported from its module on first use.
"""

_WHERE = {
    "Graph": "_graph_builder",
    "GraphBuilder": "_graph_builder",
}

__all__ = list(_WHERE)


def __getattr__(name: str):
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'cuda.core.graph' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"cuda.core.{where}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
