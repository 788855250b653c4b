# SPDX-License-Identifier: Apache-2.0
"""cuda.core.graph without a GPU: the Python layer over a stand-in for its driver calls.

Every CUDA call of the package goes through cuda.core.graph._ops; FakeDriver replaces those
functions with a graph kept in Python (nodes, edges, parameters, retained objects), so the
rules of GraphDefinition, the nodes, pred/succ, the executable views and the options are
tested here on any machine. tests/test_graph_gpu.py runs the same API on a device.
"""

from __future__ import annotations

import ctypes
import gc
import re
import weakref
from collections.abc import MutableSet

import pytest

from cuda.core._errors import CUDAError
from cuda.core.graph import _ops

T_KERNEL, T_MEMCPY, T_MEMSET, T_HOST, T_GRAPH, T_EMPTY, T_WAIT, T_RECORD = 0, 1, 2, 3, 4, 5, 6, 7
T_ALLOC, T_FREE, T_COND = 10, 11, 13
PY_CALLBACK = 0xC0DE


def _invalid(what):
    return CUDAError(f"CUDA_ERROR_INVALID_VALUE: {what}")


class FakeDriver:
    """The functions of _ops, over graphs held in dicts."""

    instances = 0

    def __init__(self):
        # Distinct handles per test: wrappers of an earlier test may die during a later one.
        FakeDriver.instances += 1
        self.next = FakeDriver.instances << 24
        self.graphs = {}  # graph -> [nodes]
        self.nodes = {}  # node -> {"graph", "type", "params"}
        self.edges = []  # (from, to)
        self.retained = {}  # graph -> [objects]
        self.destroyed_graphs = []

    def _new(self):
        self.next += 0x40
        return self.next

    # graphs
    def graph_create(self):
        g = self._new()
        self.graphs[g] = []
        self.retained[g] = []
        return g

    def graph_destroy(self, g):
        for n in self.graphs.pop(g, ()):
            self.nodes.pop(n, None)
        self.edges = [(a, b) for a, b in self.edges if a in self.nodes and b in self.nodes]
        self.retained.pop(g, None)
        self.destroyed_graphs.append(g)

    def graph_nodes(self, g):
        return list(self.graphs[g])

    def graph_edges(self, g):
        return [(a, b) for a, b in self.edges if self.nodes[a]["graph"] == g]

    def node_neighbours(self, n, successors):
        if successors:
            return [b for a, b in self.edges if a == n]
        return [a for a, b in self.edges if b == n]

    def edges_add(self, g, froms, tos):
        for a, b in zip(froms, tos):
            if a == b or a not in self.graphs[g] or b not in self.graphs[g] or (a, b) in self.edges:
                raise _invalid("bad edge")
        self.edges.extend(zip(froms, tos))

    def edges_remove(self, g, froms, tos):
        for edge in zip(froms, tos):
            if edge not in self.edges:
                raise _invalid("no such edge")
            self.edges.remove(edge)

    def node_destroy(self, n):
        node = self.nodes.pop(n)
        self.graphs[node["graph"]].remove(n)
        self.edges = [(a, b) for a, b in self.edges if n not in (a, b)]

    def node_type(self, n):
        return self.nodes[n]["type"]

    def _add(self, g, deps, kind, params):
        for d in deps:
            if d not in self.graphs[g]:
                raise _invalid("dependency of another graph")
        n = self._new()
        self.nodes[n] = {"graph": g, "type": kind, "params": params}
        self.graphs[g].append(n)
        self.edges.extend((d, n) for d in deps)
        return n

    def add_empty(self, g, deps):
        return self._add(g, deps, T_EMPTY, None)

    def add_kernel(self, g, deps, config, kernel, args):
        return self._add(g, deps, T_KERNEL, [config.grid, config.block, config.shmem_size, int(kernel.handle), args])

    def kernel_params(self, n):
        return tuple(self.nodes[n]["params"][:4])

    def set_kernel(self, e, n, config, kernel, args):
        self.nodes[n]["params"] = [config.grid, config.block, config.shmem_size, int(kernel.handle), args]

    def set_kernel_config(self, n, config):
        self.nodes[n]["params"][:3] = [config.grid, config.block, config.shmem_size]

    def add_memcpy(self, g, deps, dst, src, size):
        return self._add(g, deps, T_MEMCPY, (dst, src, size, True))

    def memcpy_params(self, n):
        return self.nodes[n]["params"]

    def set_memcpy(self, e, n, dst, src, size):
        if not e:
            self.nodes[n]["params"] = (dst, src, size, True)

    def add_memset(self, g, deps, dst, value, size, width, height, pitch):
        return self._add(g, deps, T_MEMSET, (dst, value, size, width, height, pitch))

    def memset_params(self, n):
        return self.nodes[n]["params"]

    def set_memset(self, e, n, *params):
        if not e:
            self.nodes[n]["params"] = params

    def python_callback(self):
        return PY_CALLBACK

    def add_host(self, g, deps, fn, data):
        return self._add(g, deps, T_HOST, (fn, data))

    def set_host(self, e, n, fn, data):
        if not e:
            self.nodes[n]["params"] = (fn, data)

    def python_callback_of(self, n):
        fn, data = self.nodes[n]["params"]
        if fn != PY_CALLBACK:
            return None
        for objs in self.retained.values():
            for obj in objs:
                if id(obj) == data:
                    return obj
        raise AssertionError("a Python callback that the graph does not hold")

    def add_child(self, g, deps, child):
        clone = self.graph_create()
        for n in self.graphs[child]:
            self._add(clone, [], self.nodes[n]["type"], self.nodes[n]["params"])
        self.retained[clone].extend(self.retained[child])
        return self._add(g, deps, T_GRAPH, clone)

    def child_graph(self, n):
        return self.nodes[n]["params"]

    def add_event(self, g, deps, event, record):
        return self._add(g, deps, T_RECORD if record else T_WAIT, event)

    def event_of(self, n, record):
        return self.nodes[n]["params"]

    def set_event(self, e, n, event, record):
        if not e:
            self.nodes[n]["params"] = event

    def add_alloc(self, g, deps, size, device, kind, peers):
        if size == 0:
            raise _invalid("zero-size allocation")
        dptr = self._new() << 8
        return self._add(g, deps, T_ALLOC, (dptr, size, device, kind, tuple(peers))), dptr

    def alloc_params(self, n):
        return self.nodes[n]["params"]

    def add_free(self, g, deps, dptr):
        if dptr == 0:
            raise _invalid("null pointer")
        return self._add(g, deps, T_FREE, dptr)

    def free_params(self, n):
        return self.nodes[n]["params"]

    def condition_create(self, g, default):
        return self._new() | (g << 32)

    def add_conditional(self, g, deps, handle, kind, size):
        if size == 0 or handle >> 32 != g:
            raise _invalid("conditional")
        bodies = [self.graph_create() for _ in range(size)]
        return self._add(g, deps, T_COND, (handle, kind, bodies)), bodies

    def conditional_params(self, n):
        return self.nodes[n]["params"] if self.driver_reports_conditionals else None

    driver_reports_conditionals = False  # cuGraphNodeGetParams: CUDA 13.2+ drivers

    def retain(self, g, obj):
        self.retained[g].append(obj)

    def memory_letter(self, ptr):
        return "D"

    def debug_dot_print(self, g, path, flags):
        with open(path, "w") as f:
            f.write(f"digraph fake {{ // flags {flags}\n}}\n")

    def instantiate(self, g, flags, upload):
        self.last_instantiate = (g, flags, upload)
        return 0  # a NULL CUgraphExec: the Graph made of it never calls the real driver

    def exec_set_enabled(self, e, n, on):
        self.nodes[n]["enabled"] = on

    def exec_is_enabled(self, e, n):
        return self.nodes[n].get("enabled", True)


@pytest.fixture
def fake(monkeypatch):
    driver = FakeDriver()
    for name in dir(driver):
        if not name.startswith("_") and hasattr(_ops, name) and callable(getattr(driver, name)):
            monkeypatch.setattr(_ops, name, getattr(driver, name))
    yield driver
    gc.collect()  # node and definition wrappers die here, with the fake still in place


@pytest.fixture
def graph(fake):
    from cuda.core.graph import GraphDefinition

    return GraphDefinition()


# ---- definitions, nodes, identity


def test_a_definition_is_a_view_of_its_graph(fake):
    from cuda.core.graph import GraphDefinition

    graph = GraphDefinition()
    assert graph.is_valid and int(graph.handle) in fake.graphs
    assert re.fullmatch(r"<GraphDefinition handle=0x[0-9a-f]+>", repr(graph))
    view = GraphDefinition._view(graph._root, graph._h, None)
    assert view == graph and hash(view) == hash(graph) and view is not graph
    assert graph != GraphDefinition() and graph != int(graph.handle)
    assert weakref.ref(graph)() is graph
    handle = graph._h
    del graph, view
    gc.collect()
    assert handle in fake.destroyed_graphs


def test_entry_point_has_no_node(graph):
    entry = graph._entry
    assert repr(entry) == "<GraphNode entry>"
    assert entry.type is None and entry.handle is None and entry.is_valid
    assert entry.pred == set() and entry.succ == set()
    assert hash(entry) != hash(graph)


def test_chained_nodes_form_a_chain(fake, graph):
    from cuda.core.graph import EmptyNode, MemsetNode

    a = graph.empty()
    b = a.memset(0x7000, 3, 16)
    c = b.join()
    assert isinstance(a, EmptyNode) and isinstance(b, MemsetNode) and isinstance(c, EmptyNode)
    assert graph.nodes() == {a, b, c}
    assert graph.edges() == {(a, b), (b, c)}
    assert b.pred == {a} and b.succ == {c} and a.pred == set()
    assert next(iter(b.pred)) is a  # the registered objects come back
    assert b.graph == graph and b.type.name == "CU_GRAPH_NODE_TYPE_MEMSET"
    assert int(b.handle) == b._h


def test_join_depends_on_every_node(graph):
    a, b, c = graph.empty(), graph.empty(), graph.empty()
    j = graph.join(a, b, c)
    assert j.pred == {a, b, c}
    assert a.join(b).pred == {a, b}
    with pytest.raises(TypeError):
        a.join("not a node")


def test_nodes_are_registered_weakly_and_rebuilt_with_their_class(fake, graph):
    from cuda.core.graph import MemcpyNode
    from cuda.core.graph._graph_node import _node_registry

    a = graph.empty()
    m = a.memcpy(0x9000, 0x8000, 64)
    ref = weakref.ref(m)
    del m
    gc.collect()
    assert ref() is None
    (rebuilt,) = a.succ
    assert isinstance(rebuilt, MemcpyNode) and (rebuilt.dst, rebuilt.src, rebuilt.size) == (0x9000, 0x8000, 64)
    assert _node_registry[rebuilt._h] is rebuilt


def test_nodes_keep_their_graph_alive(fake):
    from cuda.core.graph import GraphDefinition

    g = GraphDefinition()
    b = g.empty()
    c = b.join()
    del g
    gc.collect()
    assert b.succ == {c}
    b.destroy()
    assert not b.is_valid and c.pred == set()


def test_destroy(fake, graph):
    from cuda.core.graph import MemsetNode
    from cuda.core.graph._graph_node import _node_registry

    a = graph.empty()
    m = a.memset(0x7000, 42, 8)
    tail = m.join()
    handle = m._h
    m.destroy()
    assert not m.is_valid and m.type is None and m.handle is None
    assert m.pred == set() and m.succ == set()
    assert m not in graph.nodes() and all(m not in e for e in graph.edges())
    assert isinstance(m, MemsetNode) and (m.dptr, m.value, m.width) == (0x7000, 42, 8)
    assert handle not in _node_registry
    assert re.fullmatch(r"<MemsetNode handle=0x[0-9a-f]+ dptr=0x7000 value=42>", repr(m))
    m.destroy()  # again: nothing
    with pytest.raises(CUDAError):
        a.succ.add(m)
    with pytest.raises(RuntimeError, match="GraphNode has been destroyed"):
        m.launch  # noqa: B018 - attribute exists; calling builders on it fails
        m.memset(0x7000, 1, 1)
    assert tail.pred == set()


def test_refused_destroy_changes_nothing(fake, graph, monkeypatch):
    n = graph.empty()

    def refuse(handle):
        raise CUDAError("CUDA_ERROR_NOT_SUPPORTED: graphs with memory nodes")

    monkeypatch.setattr(_ops, "node_destroy", refuse)
    with pytest.raises(CUDAError):
        n.destroy()
    assert n.is_valid and n in graph.nodes()


# ---- pred / succ


def test_adjacency_is_a_mutable_set_that_edits_the_graph(fake, graph):
    a, b, c, d = (graph.empty() for _ in range(4))
    assert isinstance(a.succ, MutableSet)
    a.succ.add(b)
    a.succ.add(b)  # already there: no duplicate edge
    assert b.pred == {a} and (a, b) in graph.edges()
    a.succ |= {c, d}
    assert a.succ == {b, c, d} and a.succ >= {b} and {b, c, d, a} > a.succ
    assert a.succ & {b, a} == {b} and isinstance(a.succ - {b}, set)
    a.succ -= {c}
    assert a.succ == {b, d}
    a.succ.discard(c)  # not there: nothing
    with pytest.raises(KeyError):
        a.succ.remove(c)
    popped = a.succ.pop()
    assert popped in (b, d) and len(a.succ) == 1
    a.succ = {b, c}
    assert a.succ == {b, c}
    d.pred = [a, b]
    assert d.pred == {a, b}
    d.pred.clear()
    assert d.pred == set() and a.succ == {b, c}
    a.succ = set()
    a.succ = set()
    assert a.succ == set() and repr(a.succ)


def test_adjacency_rejects_bad_edges(graph):
    from cuda.core.graph import GraphDefinition

    a = graph.empty()
    with pytest.raises(TypeError, match=r"expected .*GraphNode"):
        a.succ.add("not a node")
    with pytest.raises(TypeError, match=r"expected .*GraphNode"):
        a.pred.add(42)
    with pytest.raises(CUDAError):
        a.succ.add(a)
    with pytest.raises(CUDAError):
        a.succ.add(GraphDefinition().empty())


# ---- node kinds


def test_memset_values(graph):
    n = graph.memset(0x7000, b"\xab\xcd", 4)
    assert (n.value, n.element_size, n.height, n.pitch) == (0xCDAB, 2, 1, 0)
    n = graph.memset(0x7000, b"\x01\x02\x03\x04", 4, 2, 16)
    assert (n.value, n.element_size, n.width, n.height, n.pitch) == (0x04030201, 4, 4, 2, 16)
    assert graph.memset(0x7000, ctypes.c_uint16(7), 1).element_size == 2
    with pytest.raises(ValueError, match="1, 2, or 4 bytes"):
        graph.memset(0x7000, b"\x01\x02\x03", 1)
    with pytest.raises(OverflowError):
        graph.memset(0x7000, 256, 1)
    with pytest.raises(TypeError, match="buffer protocol"):
        graph.memset(0x7000, object(), 1)
    with pytest.raises(TypeError):
        graph.memset(object(), 1, 1)


def test_buffers_and_owners_are_kept_by_the_graph(fake, graph):
    from cuda.core import Buffer

    buf = Buffer.from_handle(0x7000, 64)
    graph.memset(buf, 1, 64)
    box = buf._hold()  # what nodes keep: the memory outlives close() while they do
    assert box.target is buf and box in fake.retained[graph._h]
    owner = object()
    graph.memcpy(0x9000, buf, 64, dst_owner=owner)
    assert (owner, box) in fake.retained[graph._h]
    with pytest.raises(ValueError, match="dst_owner cannot be used when dst is a Buffer"):
        graph.memset(buf, 1, 64, dst_owner=owner)
    with pytest.raises(ValueError, match="src_owner cannot be used when src is a Buffer"):
        graph.memcpy(0x9000, buf, 64, src_owner=owner)
    buf.close()
    with pytest.raises(RuntimeError, match="Buffer has been closed"):
        graph.memset(buf, 1, 64)


def test_kernel_nodes(fake, graph):
    from cuda.core import LaunchConfig
    from cuda.core._module import Kernel
    from cuda.core.graph import KernelNode

    kernel = Kernel.from_handle(0x5000)
    config = LaunchConfig(grid=(2, 3, 1), block=(32, 4, 1), shmem_size=128)
    n = graph.launch(config, kernel, 1, 2.0)
    assert isinstance(n, KernelNode) and n.kernel is kernel
    assert (n.grid, n.block, n.shmem_size) == ((2, 3, 1), (32, 4, 1), 128)
    assert n.config == config and hash(n.config) == hash(config)
    assert re.fullmatch(r"<KernelNode handle=0x[0-9a-f]+ kernel=0x5000>", repr(n))
    assert (kernel, (1, 2.0)) in fake.retained[graph._h]
    n.update(config=LaunchConfig(grid=4, block=8))
    assert n.grid == (4, 1, 1) and fake.nodes[n._h]["params"][4] == (1, 2.0)
    n.update(args=(5,))
    assert fake.nodes[n._h]["params"][4] == (5,)
    with pytest.raises(ValueError, match="changing kernel requires args"):
        n.update(kernel=kernel)
    with pytest.raises(TypeError):
        n.update(config=object())
    with pytest.raises(TypeError):
        graph.launch(config, "not a kernel")
    clustered = LaunchConfig(grid=2, block=1, cluster=2)
    with pytest.raises(NotImplementedError, match="clustered or cooperative"):
        graph.launch(clustered, kernel)
    with pytest.raises(NotImplementedError, match="updating clustered or cooperative kernel nodes is not supported"):
        n.update(config=clustered)


def test_memcpy_and_memset_updates(graph):
    m = graph.memcpy(0x9000, 0x8000, 64)
    m.update()
    m.update(size=4)
    assert (m.dst, m.src, m.size) == (0x9000, 0x8000, 4)
    m.update(src=0xA000)
    assert (m.dst, m.src) == (0x9000, 0xA000)
    with pytest.raises(ValueError, match=r"^dst_owner requires dst$"):
        m.update(dst_owner=object())
    with pytest.raises(ValueError, match=r"^src_owner requires src$"):
        m.update(src_owner=object())
    with pytest.raises(OverflowError):
        m.update(size=-1)
    with pytest.raises(TypeError):
        m.update(src=object())
    with pytest.raises(TypeError):
        m.update(0x1)
    s = graph.memset(0x7000, 1, 8)
    s.update()
    s.update(width=4, height=2, pitch=8)
    assert (s.width, s.height, s.pitch, s.value) == (4, 2, 8, 1)
    s.update(value=0x22)
    assert s.value == 0x22
    with pytest.raises(OverflowError):
        s.update(value=256)
    with pytest.raises(ValueError, match=r"^dst_owner requires dst$"):
        s.update(dst_owner=object())


def test_alloc_and_free_nodes(fake, graph, monkeypatch):
    from cuda.core.graph import AllocNode, FreeNode
    from cuda.core.typing import GraphMemoryType

    a = graph.allocate(1024, device=0)
    assert isinstance(a, AllocNode) and a.dptr and a.bytesize == 1024 and a.device_id == 0
    assert a.memory_type == "device" and a.memory_type is GraphMemoryType.DEVICE and a.peer_access == ()
    assert re.fullmatch(rf"<AllocNode handle=0x[0-9a-f]+ dptr=0x{a.dptr:x} size=1024>", repr(a))
    m = graph.allocate(64, device=0, memory_type=GraphMemoryType.MANAGED, peer_access=[1])
    assert m.memory_type == "managed" and m.peer_access == (1,)
    f = a.deallocate(a.dptr)
    assert isinstance(f, FreeNode) and f.dptr == a.dptr and f.pred == {a}
    with pytest.raises(ValueError, match="Invalid memory_type"):
        graph.allocate(64, device=0, memory_type="invalid")
    with pytest.raises(CUDAError):
        graph.allocate(0, device=0)
    with pytest.raises(CUDAError):
        graph.deallocate(0)


def test_event_nodes(fake, graph):
    from cuda.core._event import Event
    from cuda.core.graph import EventRecordNode, EventWaitNode

    ev = Event._from_handle(0xE000)
    r = graph.record(ev)
    w = r.wait(ev)
    assert isinstance(r, EventRecordNode) and isinstance(w, EventWaitNode)
    assert r.event is ev and w.event is ev and ev in fake.retained[graph._h]
    assert re.fullmatch(r"<EventWaitNode handle=0x[0-9a-f]+ event=0xe000>", repr(w))
    other = Event._from_handle(0xE100)
    r.update(other)
    assert r.event is other
    with pytest.raises(TypeError):
        graph.record(object())


def test_host_callbacks(fake, graph):
    from cuda.core.graph import HostCallbackNode

    def my_callback():
        pass

    n = graph.callback(my_callback)
    assert isinstance(n, HostCallbackNode) and n.callback is my_callback
    assert re.fullmatch(r"<HostCallbackNode handle=0x[0-9a-f]+ callback=my_callback>", repr(n))
    with pytest.raises(ValueError, match="user_data is only supported"):
        graph.callback(my_callback, user_data=b"x")
    with pytest.raises(TypeError):
        graph.callback(42)

    proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    cfn = proto(lambda data: None)
    c = graph.callback(cfn, user_data=b"\xab")
    assert c.callback is None
    address = ctypes.cast(cfn, ctypes.c_void_p).value
    assert repr(c) == f"<HostCallbackNode handle=0x{c._h:x} cfunc=0x{address:x}>"
    fn, data = fake.nodes[c._h]["params"]
    assert fn == address and ctypes.string_at(data, 1) == b"\xab"  # a copy the graph keeps
    assert graph.callback(cfn, user_data=1234).callback is None
    assert fake.nodes[graph.callback(cfn, user_data=1234)._h]["params"][1] == 1234
    with pytest.raises(TypeError, match="CUhostFn"):
        graph.callback(ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)(0))

    def other():
        pass

    n.update(other)
    assert n.callback is other


def test_child_graphs(fake, graph):
    from cuda.core.graph import ChildGraphNode, GraphDefinition

    child = GraphDefinition()
    child.empty().join()
    node = graph.embed(child)
    assert isinstance(node, ChildGraphNode)
    view = node.child_graph
    assert len(view.nodes()) == 2 and view != child
    assert re.fullmatch(rf"<ChildGraphNode handle=0x[0-9a-f]+ child=0x{view._h:x}>", repr(node))
    node.destroy()
    assert not view.is_valid and int(view.handle) == 0
    with pytest.raises(TypeError):
        graph.embed("not a graph")


def test_conditional_nodes(fake, graph):
    from cuda.core.graph import GraphCondition, IfElseNode, IfNode, SwitchNode, WhileNode

    cond = graph.create_condition(default_value=1)
    assert isinstance(cond, GraphCondition) and int(cond) == cond._value
    assert re.fullmatch(r"<GraphCondition handle=0x[0-9a-f]+>", repr(cond))
    assert cond == cond and cond != graph.create_condition() and weakref.ref(cond)() is cond
    i = graph.if_then(cond)
    e = i.if_else(cond)
    w = graph.while_loop(cond)
    s = graph.switch(cond, 3)
    assert isinstance(i, IfNode) and isinstance(e, IfElseNode) and isinstance(w, WhileNode)
    assert isinstance(s, SwitchNode) and len(s.branches) == 3
    assert i.cond_type == "if" and e.cond_type == "if" and w.cond_type == "while" and s.cond_type == "switch"
    assert i.condition == cond and len(i.branches) == 1 and i.then == i.branches[0]
    assert (e.then, e.else_) == e.branches and w.body == w.branches[0]
    assert i.then.nodes() == set()
    assert re.fullmatch(rf"<IfNode handle=0x[0-9a-f]+ condition=0x{cond._value:x}>", repr(i))
    body = w.body
    body.empty()
    assert len(body.nodes()) == 1
    del i
    gc.collect()
    (rebuilt,) = [n for n in graph.nodes() if n._h not in (e._h, w._h, s._h)]
    assert isinstance(rebuilt, IfNode)  # what we made is remembered by handle
    with pytest.raises(TypeError, match="GraphCondition"):
        graph.if_then(42)
    with pytest.raises(CUDAError):
        graph.switch(cond, 0)
    from cuda.core.graph import GraphDefinition

    with pytest.raises(CUDAError):
        GraphDefinition().if_then(cond)  # a condition of another graph
    w.destroy()
    assert not body.is_valid


def test_conditional_nodes_read_back_from_the_driver(fake, graph):
    """A conditional node not made here (captured): a 13.2+ driver says its kind and bodies."""
    from cuda.core.graph import ConditionalNode, WhileNode

    cond = graph.create_condition()
    handle, bodies = fake.add_conditional(graph._h, [], cond._value, 1, 1)  # as a capture would add it
    (node,) = graph.nodes()
    assert type(node) is ConditionalNode and node.condition is None and node.branches == ()
    node.destroy()
    handle, bodies = fake.add_conditional(graph._h, [], cond._value, 1, 1)
    fake.driver_reports_conditionals = True
    (node,) = graph.nodes()
    assert isinstance(node, WhileNode) and node.condition == cond and node.cond_type == "while"
    assert node.body._h == bodies[0]


def test_instantiate_and_debug_print(fake, graph, tmp_path):
    from cuda.core.graph import GraphCompleteOptions, GraphDebugPrintOptions

    graph.empty()
    g = graph.instantiate(GraphCompleteOptions(auto_free_on_launch=True, use_node_priority=True))
    assert fake.last_instantiate == (graph._h, 1 | 8, 0)
    assert g.is_closed and graph.instantiate() is not g
    with pytest.raises(ValueError, match="device_launch"):
        graph.instantiate(GraphCompleteOptions(device_launch=True, auto_free_on_launch=True))
    with pytest.raises(TypeError):
        graph.instantiate(GraphCompleteOptions(upload_stream="not a stream"))
    with pytest.raises(TypeError, match="options must be a GraphCompleteOptions"):
        graph.instantiate({"auto_free_on_launch": True})
    graph.instantiate(False)  # a false value means the defaults, as in NVIDIA's
    assert fake.last_instantiate == (graph._h, 0, 0)
    path = tmp_path / "g.dot"
    graph.debug_dot_print(str(path), GraphDebugPrintOptions(verbose=True, handles=True))
    assert "digraph" in path.read_text() and "flags 1025" in path.read_text()
    graph.debug_dot_print(bytes(path))
    with pytest.raises(TypeError, match="options must be a GraphDebugPrintOptions"):
        graph.debug_dot_print(str(path), {"verbose": True})


def test_options_are_plain_dataclasses():
    import dataclasses

    from cuda.core.graph import GraphCompleteOptions, GraphDebugPrintOptions

    assert [f.name for f in dataclasses.fields(GraphCompleteOptions)] == [
        "auto_free_on_launch",
        "upload_stream",
        "device_launch",
        "use_node_priority",
    ]
    names = list(GraphDebugPrintOptions.__dataclass_fields__)
    assert len(names) == 16 and names[0] == "verbose" and names[-1] == "conditional_node_params"
    everything = GraphDebugPrintOptions(**dict.fromkeys(names, True))
    assert everything._to_flags() == (1 << 16) - 1
    assert GraphDebugPrintOptions(conditional_node_params=True)._to_flags() == 1 << 15
    from cuda.bindings import driver

    assert GraphDebugPrintOptions(handles=True)._to_flags() == int(
        driver.CUgraphDebugDot_flags.CU_GRAPH_DEBUG_DOT_FLAGS_HANDLES
    )


# ---- executable views


class _FakeExec:
    is_closed = False

    def __init__(self):
        self.kept = []

    def _keep(self, obj):
        self.kept.append(obj)


def test_executable_views(fake, graph):
    from cuda.core import LaunchConfig
    from cuda.core._module import Kernel
    from cuda.core.graph import ExecutableGraphNode, ExecutableKernelNode, ExecutableMemsetNode
    from cuda.core.graph._executable import executable_node

    exe = _FakeExec()
    k = graph.launch(LaunchConfig(grid=1, block=1), Kernel.from_handle(0x5000))
    view = executable_node(exe, 0xEEE0, k)
    assert isinstance(view, ExecutableKernelNode)
    assert repr(view) == f"<ExecutableKernelNode graph=0xeee0 node=0x{k._h:x}>"
    assert view.is_enabled
    view.disable()
    view.disable()
    assert not view.is_enabled
    view.enable()
    assert view.is_enabled
    with pytest.raises(TypeError):
        view.update(LaunchConfig(grid=1, block=1))  # keyword-only
    with pytest.raises(NotImplementedError, match=r"^updating clustered or cooperative kernel nodes is not supported$"):
        view.update(config=LaunchConfig(grid=1, block=1, is_cooperative=True), kernel=k.kernel, args=())
    view.update(config=LaunchConfig(grid=1, block=1), kernel=k.kernel, args=(3,))
    assert (k.kernel, (3,)) in exe.kept and k.grid == (1, 1, 1)
    s = graph.memset(0x7000, 1, 8)
    assert isinstance(executable_node(exe, 0xEEE0, s), ExecutableMemsetNode)
    executable_node(exe, 0xEEE0, s).update(dst=0x7100, value=2, width=8)
    assert s.dptr == 0x7000  # the definition keeps its parameters
    with pytest.raises(TypeError, match="EmptyNode does not support executable updates"):
        executable_node(exe, 0xEEE0, graph.empty())
    with pytest.raises(TypeError):
        executable_node(exe, 0xEEE0, object())
    s.destroy()
    with pytest.raises(RuntimeError, match="GraphNode has been destroyed"):
        executable_node(exe, 0xEEE0, s)
    with pytest.raises(RuntimeError, match=r"^directly constructing an executable graph node is not supported$"):
        ExecutableGraphNode()


def test_graph_builder_join_needs_two():
    from cuda.core.graph import GraphBuilder

    with pytest.raises(ValueError, match=r"^Must join with at least two graph builders"):
        GraphBuilder.join()
    with pytest.raises(RuntimeError):
        GraphBuilder()


def test_direct_construction_is_refused():
    from cuda.core.graph import GraphCondition, GraphNode, KernelNode

    for cls in (GraphNode, KernelNode, GraphCondition):
        with pytest.raises(RuntimeError):
            cls()


def test_released_objects_are_dropped_on_the_main_thread():
    """_ops's queue of objects graphs let go of: draining it drops them (no GPU needed)."""
    _ops.drain_released()  # nothing queued: nothing happens
