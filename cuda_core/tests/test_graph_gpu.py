# SPDX-License-Identifier: Apache-2.0
"""cuda.core.graph on a GPU: graphs built node by node and by stream capture, launched, changed
and updated, with their results read back from pinned host memory."""

from __future__ import annotations

import ctypes
import gc
import sys
import time
import weakref

import numpy as np
import pytest

from cuda.core import LaunchConfig, LegacyPinnedMemoryResource, Program, ProgramOptions, launch
from cuda.core._errors import CUDAError
from cuda.core.graph import (
    ChildGraphNode,
    ExecutableKernelNode,
    GraphCompleteOptions,
    GraphDebugPrintOptions,
    GraphDefinition,
    IfElseNode,
    KernelNode,
    WhileNode,
    _ops,
)

pytestmark = pytest.mark.gpu

KERNELS = r"""
extern "C" __device__ __cudart_builtin__ void CUDARTAPI cudaGraphSetConditional(cudaGraphConditionalHandle handle,
                                                                                unsigned int value);
extern "C" __global__ void add_one(int* p) { atomicAdd(p, 1); }
extern "C" __global__ void store(int* p, int value) { *p = value; }
extern "C" __global__ void dims(int* p) { *p = gridDim.x * 1000 + blockDim.x; }
extern "C" __global__ void set_condition(unsigned long long h, int value) {
    cudaGraphSetConditional((cudaGraphConditionalHandle)h, value);
}
extern "C" __global__ void countdown(unsigned long long h, int* left) {
    *left -= 1;
    cudaGraphSetConditional((cudaGraphConditionalHandle)h, *left > 0);
}
"""
ONE = LaunchConfig(grid=1, block=1)


@pytest.fixture
def k(device):
    code = Program(KERNELS, "c++", ProgramOptions(arch=f"sm_{device.arch}")).compile("cubin")
    return {name: code.get_kernel(name) for name in ("add_one", "store", "dims", "set_condition", "countdown")}


@pytest.fixture
def host(device):
    """Eight ints of pinned host memory, zeroed; the kernels write them directly."""
    buf = LegacyPinnedMemoryResource().allocate(32)
    ints = np.from_dlpack(buf).view(np.int32)
    ints[:] = 0
    yield buf, ints
    buf.close()


def _run(graph, device):
    stream = device.create_stream()
    graph.launch(stream)
    stream.sync()


def test_a_chain_of_kernels(device, k, host):
    buf, ints = host
    g = GraphDefinition()
    first = g.launch(ONE, k["add_one"], buf)
    second = first.launch(LaunchConfig(grid=(2, 1, 1), block=(4, 1, 1)), k["add_one"], buf)
    assert isinstance(second, KernelNode) and second.pred == {first} and g.edges() == {(first, second)}
    assert second.grid == (2, 1, 1) and second.block == (4, 1, 1) and second.kernel is k["add_one"]
    exe = g.instantiate()
    _run(exe, device)
    _run(exe, device)
    assert ints[0] == 2 * (1 + 8)


def test_fill_copy_and_graph_memory(device, host):
    buf, ints = host
    dev_buf = device.allocate(32)
    g = GraphDefinition()
    g.memset(dev_buf, np.uint32(0x01020304), 8).memcpy(buf, dev_buf, 32)
    _run(g.instantiate(), device)
    assert (ints == 0x01020304).all()
    ints[:] = 0
    g = GraphDefinition()
    alloc = g.allocate(32)
    alloc.memset(alloc.dptr, 5, 32).memcpy(buf, alloc.dptr, 32).deallocate(alloc.dptr)
    assert alloc.bytesize == 32 and alloc.device_id == device.device_id and alloc.memory_type == "device"
    _run(g.instantiate(), device)
    assert (ints == 0x05050505).all()
    dev_buf.close()


def test_closed_buffers_stay_allocated_while_a_node_uses_them(device, host):
    buf, ints = host
    src, dst = device.allocate(32), device.allocate(32)
    src.fill(7, stream=device.default_stream)
    device.default_stream.sync()
    g = GraphDefinition()
    g.memcpy(dst, src, 32).memcpy(buf, dst, 32)
    src.close()
    dst.close()
    assert src.is_closed and dst.is_closed and int(src.handle) == 0
    _run(g.instantiate(), device)
    assert (ints == 0x07070707).all()


def test_host_callbacks(device, host, monkeypatch):
    buf, ints = host
    calls = []
    g = GraphDefinition()
    node = g.callback(lambda: calls.append(int(ints[0])))
    proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    seen = []
    cfn = proto(lambda data: seen.append(ctypes.string_at(data, 1)))
    assert node.callback is not None  # the node's callable (a property, as NVIDIA's): add from the graph
    g.callback(cfn, user_data=b"\xab")
    exe = g.instantiate()
    _run(exe, device)
    _run(exe, device)
    assert calls == [0, 0] and seen == [b"\xab", b"\xab"]

    records = []
    monkeypatch.setattr(sys, "unraisablehook", records.append)

    def boom():
        raise RuntimeError("from the callback")

    g = GraphDefinition()
    g.callback(boom).join().callback(lambda: calls.append(1))
    _run(g.instantiate(), device)  # the graph goes on after the exception
    assert calls[-1] == 1 and len(records) == 1 and records[0].exc_type is RuntimeError


def _released(ref) -> bool:
    """Whether what ``ref`` names is collected within 5 s (graphs let go through pending calls)."""
    deadline = time.monotonic() + 5
    while ref() is not None and time.monotonic() < deadline:
        gc.collect()
        _ops.drain_released()
        time.sleep(0.02)
    return ref() is None


def test_callbacks_are_released_with_their_graphs(device):
    def fn():
        pass

    ref = weakref.ref(fn)
    g = GraphDefinition()
    g.callback(fn)
    exe = g.instantiate()
    del fn, g
    gc.collect()
    assert ref() is not None  # the executable graph holds it
    exe.close()
    assert _released(ref)


def test_a_destroyed_node_lets_go_of_what_it_kept(device):
    calls = []

    def old():
        calls.append("old")

    def new():
        calls.append("new")

    old_ref, new_ref = weakref.ref(old), weakref.ref(new)
    g = GraphDefinition()
    node = g.callback(old)
    exe = g.instantiate()  # holds its own reference
    node.destroy()
    g.callback(new)
    del old, new, node
    gc.collect()
    assert old_ref() is not None and new_ref() is not None
    stream = device.create_stream()
    exe.launch(stream)
    g.instantiate().launch(stream)
    stream.sync()
    assert calls == ["old", "new"]
    exe.close()
    assert _released(old_ref)  # neither the definition nor an executable holds it now
    assert new_ref() is not None

    # a node of a child graph, destroyed through a view rebuilt from the parent
    def in_child():
        calls.append("child")

    ref = weakref.ref(in_child)
    parent = GraphDefinition()
    parent.embed(GraphDefinition()).child_graph.callback(in_child)
    del in_child
    gc.collect()
    assert ref() is not None
    child = next(n for n in parent.nodes() if isinstance(n, ChildGraphNode)).child_graph
    (callback,) = child.nodes()
    callback.destroy()
    del callback
    assert _released(ref)


def _callback_node(graph):
    from cuda.core.graph import HostCallbackNode

    return next(n for n in graph.nodes() if isinstance(n, HostCallbackNode))


def _child_node(graph):
    return next(n for n in graph.nodes() if isinstance(n, ChildGraphNode))


def _kept_graphs(definition) -> set[int]:
    return {key[1] for key in definition._root.facts if isinstance(key, tuple) and key[0] == "kept"}


@pytest.mark.parametrize("how", ["embed", "nested", "update", "builder"])
def test_a_node_of_an_embedded_copy_lets_go_of_what_it_kept(device, how):
    """The driver's copy of an embedded graph holds what the source's nodes kept; destroying a
    node of the copy lets go of the copy's hold, the source keeping its own until it goes."""

    def fn():
        pass

    ref = weakref.ref(fn)
    if how == "builder":
        child = device.create_graph_builder().begin_building()
        child.callback(fn)
        child.end_building()
        builder = device.create_graph_builder().begin_building()
        builder.embed(child)
        builder.end_building()
        parent = builder.graph_definition
        embedded = _child_node(parent).child_graph
    else:
        child = GraphDefinition()
        child.callback(fn)
        if how == "nested":
            middle = GraphDefinition()
            middle.embed(child)
            child, middle = middle, None
        parent = GraphDefinition()
        if how == "update":
            node = parent.embed(GraphDefinition())
            node.update(child)
        else:
            node = parent.embed(child)
        embedded = node.child_graph
        if how == "nested":
            embedded = _child_node(embedded).child_graph
    callback = _callback_node(embedded)
    del fn, child
    gc.collect()
    assert ref() is not None  # the copy holds it
    callback.destroy()
    del callback, embedded
    assert _released(ref)
    assert len(parent.nodes()) == 1  # the parent and its child node are untouched
    parent.instantiate()


def test_builder_bodies_share_their_graphs_records(device):
    """What a conditional body's builder captured is recorded with the graph it belongs to, so a
    view of the body taken from either builder lets go of it when its node is destroyed."""

    def fn():
        pass

    ref = weakref.ref(fn)
    builder = device.create_graph_builder().begin_building()
    body = builder.if_then(builder.create_condition(default_value=0)).begin_building()
    body.callback(fn)
    body.end_building()
    builder.end_building()
    definition = builder.graph_definition
    body_view = body.graph_definition
    assert body_view._root.facts is definition._root.facts
    assert _kept_graphs(definition) == {int(body_view.handle)}
    callback = _callback_node(body_view)
    del fn
    gc.collect()
    assert ref() is not None
    callback.destroy()
    del callback
    assert _released(ref)
    assert not _kept_graphs(definition)


def test_records_of_destroyed_graphs_are_dropped(device, k, host):
    buf, ints = host
    inner = GraphDefinition()
    inner.callback(lambda: None)
    middle = GraphDefinition()
    middle.memcpy(int(buf.handle) + 4, int(buf.handle), 4)  # a memcpy node beside a child: not a graph
    middle.callback(lambda: None)
    middle.embed(inner)
    parent = GraphDefinition()
    node = parent.embed(middle)
    copies = {node.child_graph.handle, _child_node(node.child_graph).child_graph.handle}
    assert {int(h) for h in copies} <= _kept_graphs(parent)
    replacement = GraphDefinition()
    replacement.memcpy(int(buf.handle) + 4, int(buf.handle), 4)
    replacement.embed(GraphDefinition())
    node.update(replacement)  # the copies above are destroyed: what they held is forgotten
    assert not {int(h) for h in copies} & _kept_graphs(parent)
    node.update(middle)
    assert len(_kept_graphs(parent)) == 2
    node.destroy()  # likewise with the node that held them
    assert not _kept_graphs(parent)
    loop = parent.while_loop(parent.create_condition(default_value=0))
    loop.body.callback(lambda: None)
    assert _kept_graphs(parent) == {int(loop.body.handle)}
    loop.destroy()
    assert not _kept_graphs(parent)


def test_events_and_child_graphs(device, k, host):
    buf, ints = host
    child = GraphDefinition()
    child.launch(ONE, k["add_one"], buf).launch(ONE, k["add_one"], buf).launch(ONE, k["add_one"], buf)
    ev = device.create_event()
    g = GraphDefinition()
    node = g.embed(child)
    assert isinstance(node, ChildGraphNode) and len(node.child_graph.nodes()) == 3
    node.record(ev)
    _run(g.instantiate(), device)
    assert ints[0] == 3 and ev.is_done


def test_child_update_refuses_its_own_hierarchy_and_retires_old_views(device):
    inner = GraphDefinition()
    inner.callback(lambda: None)
    middle = GraphDefinition()
    middle.embed(inner)
    parent = GraphDefinition()
    node = parent.embed(middle)
    old_middle = node.child_graph
    old_child = next(n for n in old_middle.nodes() if isinstance(n, ChildGraphNode))
    old_inner = old_child.child_graph
    # the update would destroy what it reads: refused before anything changes, as NVIDIA's
    for source in (old_middle, parent, old_inner):
        with pytest.raises(CUDAError, match="its own hierarchy"):
            node.update(source)
    assert old_middle.is_valid and old_child.is_valid and old_inner.is_valid
    old_inner.callback(lambda: None)  # kept by a graph the update replaces: forgotten with it
    replacement_inner = GraphDefinition()
    replacement_inner.callback(lambda: None)
    replacement = GraphDefinition()
    replacement.embed(replacement_inner)
    node.update(replacement)
    # the driver replaced the graph the old views were made for: they are no longer valid
    assert node.is_valid
    assert not old_middle.is_valid and int(old_middle.handle) == 0
    assert not old_child.is_valid and not old_inner.is_valid and int(old_inner.handle) == 0
    with pytest.raises(RuntimeError, match="no longer valid"):
        old_middle.nodes()
    new_middle = node.child_graph
    assert new_middle.is_valid and len(new_middle.nodes()) == 1
    _run(parent.instantiate(), device)


def test_conditionals(device, k, host):
    buf, ints = host
    g = GraphDefinition()
    loop_cond = g.create_condition(default_value=1)
    ints[1] = 5
    loop = g.while_loop(loop_cond)
    assert isinstance(loop, WhileNode) and loop.cond_type == "while"
    loop.body.launch(ONE, k["add_one"], buf).launch(ONE, k["countdown"], loop_cond, int(buf.handle) + 4)

    pick = g.create_condition(default_value=0)
    branch = loop.if_else(pick)
    assert isinstance(branch, IfElseNode)
    branch.then.launch(ONE, k["store"], int(buf.handle) + 8, 1)
    branch.else_.launch(ONE, k["store"], int(buf.handle) + 8, 2)

    which = g.create_condition(default_value=2)
    switch = branch.switch(which, 3)
    for i, body in enumerate(switch.branches):
        body.launch(ONE, k["store"], int(buf.handle) + 12, 10 + i)
    _run(g.instantiate(), device)
    assert list(ints[:4]) == [5, 0, 2, 12]


def test_executable_views_and_whole_updates(device, k, host):
    buf, ints = host
    g = GraphDefinition()
    node = g.launch(ONE, k["store"], buf, 1)
    exe = g.instantiate()
    view = exe[node]
    assert isinstance(view, ExecutableKernelNode) and view.is_enabled
    view.update(config=ONE, kernel=k["store"], args=(int(buf.handle) + 4, 2))
    _run(exe, device)
    assert list(ints[:2]) == [0, 2]
    view.disable()
    ints[:] = 0
    _run(exe, device)
    assert not ints.any()
    view.enable()

    other = GraphDefinition()
    other.launch(ONE, k["store"], int(buf.handle) + 8, 3)
    exe.update(other)
    _run(exe, device)
    assert ints[2] == 3
    other.empty()
    with pytest.raises(CUDAError, match="Graph update failed"):
        exe.update(other)

    node.update(config=LaunchConfig(grid=2, block=3), kernel=k["dims"], args=(buf,))
    _run(g.instantiate(), device)
    assert ints[0] == 2003


def test_builder_split_join_conditional_embed(device, k, host, tmp_path):
    buf, ints = host
    child = device.create_graph_builder().begin_building()
    launch(child, ONE, k["add_one"], int(buf.handle) + 4)
    child.end_building()

    gb = device.create_graph_builder().begin_building()
    launch(gb, ONE, k["add_one"], buf)
    first, second = gb.split(2)
    assert first is gb and second.is_join_required and not gb.is_join_required
    launch(first, ONE, k["add_one"], buf)
    launch(second, ONE, k["add_one"], buf)
    joined = type(gb).join(first, second)
    assert joined is gb and second.is_closed
    cond = gb.create_condition(default_value=1)
    body = gb.if_then(cond)
    body.begin_building()
    launch(body, ONE, k["add_one"], buf)
    body.end_building()
    gb.embed(child)
    calls = []
    gb.callback(lambda: calls.append(1))
    gb.end_building()
    gb.debug_dot_print(str(tmp_path / "g.dot"), GraphDebugPrintOptions(verbose=True))
    assert "digraph" in (tmp_path / "g.dot").read_text()
    definition = gb.graph_definition
    definition.launch(ONE, k["add_one"], int(buf.handle) + 8)  # mixing in the explicit API
    exe = gb.complete(GraphCompleteOptions(upload_stream=device.create_stream()))
    _run(exe, device)
    assert list(ints[:3]) == [4, 1, 1] and calls == [1]
    gb.close()
    _run(exe, device)  # the graph outlives its builder
    assert ints[0] == 8 and len(definition.nodes()) > 5
