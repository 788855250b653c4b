# SPDX-License-Identifier: Apache-2.0
"""What graphs keep alive for their nodes, per node.

A node's Python objects (callable, arguments, buffers, events) are held by its graph through
CUDA user objects (_ops.retain). Their handles are recorded in the root's facts under
``("kept", graph, node)``, so destroying the node lets its graph release them. The driver's
copies of a graph (the graph of a child node made by ``embed``, at any depth) hold the same
user objects; ``copy_records`` keys them to the copied nodes, so destroying a node of a copy
releases what that copy held for it (the bodies of conditional nodes inside a copy are not
mapped: a CUDA 13.0 driver cannot name them, so what they hold goes with the copy). Records of
graphs the driver destroyed are dropped with ``forget``: their handles may be reused by later
graphs.
"""

from __future__ import annotations

from typing import Any

from cuda.core._errors import CUDAError
from cuda.core.graph import _ops

_CHILD_GRAPH = 4  # CU_GRAPH_NODE_TYPE_GRAPH
_CONDITIONAL = 13  # CU_GRAPH_NODE_TYPE_CONDITIONAL


def _is_record(key: Any) -> bool:
    return isinstance(key, tuple) and key[0] == "kept"


def record(facts: dict[Any, Any], graph: int, node: int, handle: int) -> None:
    """Record that ``graph`` holds the user object ``handle`` for ``node``."""
    facts.setdefault(("kept", graph, node), []).append(handle)


def release(facts: dict[Any, Any], graph: int, node: int) -> None:
    """``node`` was destroyed: ``graph`` lets go of what it held for it (copies keep theirs)."""
    for handle in facts.pop(("kept", graph, node), ()):
        _ops.release(graph, handle)


def graphs_in(node: int, facts: dict[Any, Any]) -> list[int]:
    """The graphs ``node`` holds: a child graph node's graph, the bodies of a conditional node
    that ``facts`` knows."""
    kind = _ops.node_type(node)
    if kind == _CHILD_GRAPH:
        return [_ops.child_graph(node)]
    if kind == _CONDITIONAL and facts.get(node) is not None:
        return list(facts[node][2])
    return []


def nested_graphs(graph: int, facts: dict[Any, Any]) -> set[int]:
    """``graph`` and every graph inside it (see graphs_in), at every depth."""
    found, todo = set(), [graph]
    while todo:
        g = todo.pop()
        found.add(g)
        for node in _ops.graph_nodes(g):
            todo += graphs_in(node, facts)
    return found


def forget(facts: dict[Any, Any], graphs: set[int]) -> None:
    """Drop the records of ``graphs`` (destroyed by the driver, and what they held with them)."""
    for key in [k for k in facts if _is_record(k) and k[1] in graphs]:
        del facts[key]


def copy_records(facts: dict[Any, Any], source: int, copy: int, into: dict[Any, Any]) -> None:
    """Record in ``into`` what ``copy`` (the driver's copy of ``source``, a graph of ``facts``)
    holds for each of its nodes, and likewise for the child graphs inside it."""
    by_graph: dict[int, list[tuple[int, list[int]]]] = {}
    for key, handles in facts.items():
        if _is_record(key):
            by_graph.setdefault(key[1], []).append((key[2], handles))
    if not by_graph:
        return
    found: dict[Any, Any] = {}
    try:
        todo = [(source, copy)]
        while todo:
            src, dst = todo.pop()
            for node, handles in by_graph.get(src, ()):
                found["kept", dst, _ops.find_in_clone(node, dst)] = list(handles)
            for node in _ops.graph_nodes(src):
                if _ops.node_type(node) == _CHILD_GRAPH:
                    twin = _ops.find_in_clone(node, dst)
                    todo.append((_ops.child_graph(node), _ops.child_graph(twin)))
    except CUDAError:
        return  # a driver that cannot map copies: the copy keeps its objects until it is destroyed
    into.update(found)
