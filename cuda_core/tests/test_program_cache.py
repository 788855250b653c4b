# SPDX-License-Identifier: Apache-2.0
"""Program caches: keys, the in-memory LRU, the multi-process file cache, Program.compile(cache=)."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pathlib
import re
import subprocess
import sys

import pytest

from cuda.core import ObjectCode, Program, ProgramOptions
from cuda.core.utils import (
    FileStreamProgramCache,
    InMemoryProgramCache,
    ProgramCacheResource,
    make_program_cache_key,
)

SRC = 'extern "C" __global__ void k(int* p) { *p = 5; }\ntemplate <int N> __global__ void t(int* p) { *p = N; }\n'


def opts(**kw):
    return ProgramOptions(arch="sm_90", **kw)


def key(**kw):
    args = {"code": SRC, "code_type": "c++", "options": opts(), "target_type": "cubin"}
    args.update(kw)
    return make_program_cache_key(**args)


# --- make_program_cache_key --------------------------------------------------------------------


def test_key_is_32_bytes_and_deterministic():
    k = key()
    assert isinstance(k, bytes) and len(k) == 32
    assert key() == k


def test_key_is_stable_across_processes():
    code = (
        "from cuda.core import ProgramOptions; from cuda.core.utils import make_program_cache_key as m; "
        f"print(m(code={SRC!r}, code_type='c++', options=ProgramOptions(arch='sm_90'), target_type='cubin').hex())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == key().hex()


@pytest.mark.parametrize(
    "change",
    [
        {"code": SRC + " "},
        {"code": SRC + "//"},
        {"target_type": "ptx"},
        {"options": opts(debug=True)},
        {"options": opts(name="other.cu")},
        {"options": ProgramOptions(arch="sm_80")},
        {"name_expressions": ("t<1>",)},
        {"extra_digest": b"headers v2"},
    ],
)
def test_key_changes_with_each_input(change):
    assert key(**change) != key()


def test_str_and_bytes_code_give_the_same_key():
    nvvm = {"code_type": "nvvm", "target_type": "ptx"}
    assert key(code=SRC.encode(), **nvvm) == key(code=SRC, **nvvm)
    with pytest.raises(TypeError, match="code must be str for code_type 'c\\+\\+'"):
        key(code=SRC.encode())  # Program takes bytes for NVVM IR only


def test_name_expression_order_does_not_matter_but_type_does():
    assert key(name_expressions=("t<1>", "t<2>")) == key(name_expressions=["t<2>", "t<1>"])
    assert key(name_expressions=("t<1>",)) != key(name_expressions=(b"t<1>",))
    with pytest.raises(TypeError):
        key(name_expressions=(bytearray(b"t<1>"),))
    with pytest.raises(TypeError):
        key(name_expressions="t<1>")


def test_key_includes_compiler_version(monkeypatch):
    import cuda.core._program_cache as C

    before = key()
    monkeypatch.setattr(C, "nvrtc_version", lambda: (99, 9))
    assert key() != before


@pytest.mark.parametrize(
    "field, value",
    [("include_path", "/inc"), ("pre_include", "a.h"), ("pch", True), ("use_pch", "x.pch"), ("pch_dir", "/p")],
)
def test_file_options_need_extra_digest(field, value):
    with pytest.raises(ValueError, match=field):
        key(options=opts(**{field: value}))
    assert len(key(options=opts(**{field: value}), extra_digest=b"fingerprint")) == 32


def test_key_argument_checks():
    with pytest.raises(ValueError, match="code_type"):
        key(code_type="cuda")
    with pytest.raises(ValueError, match="target_type"):
        key(target_type="fatbin")
    with pytest.raises(ValueError, match="target_type"):
        key(code_type="nvvm", target_type="cubin")
    with pytest.raises(TypeError):
        key(options={"arch": "sm_90"})
    with pytest.raises(TypeError):
        key(code=5)
    with pytest.raises(TypeError):
        key(extra_digest="text")
    no_arch = opts()
    no_arch.arch = None
    with pytest.raises(ValueError, match="arch"):
        key(options=no_arch)
    with pytest.raises(TypeError):
        make_program_cache_key(SRC, "c++", opts(), "cubin")  # keyword-only


def test_key_for_nvvm_and_ptx():
    a = make_program_cache_key(code="ir", code_type="nvvm", options=opts(), target_type="ptx")
    b = make_program_cache_key(code="ir", code_type="nvvm", options=opts(), target_type="ltoir")
    c = make_program_cache_key(code="ir", code_type="ptx", options=opts(), target_type="cubin")
    assert len({a, b, c}) == 3
    with pytest.raises(ValueError, match="use_libdevice"):
        make_program_cache_key(code="ir", code_type="nvvm", options=opts(use_libdevice=True), target_type="ptx")


def test_nvvm_keys_follow_the_nvvm_library_program_compiles_with(monkeypatch):
    from cuda.core import _program

    class FakeNVVM:
        def __init__(self, version):
            self._version = version

        def version(self):
            return self._version

        def ir_version(self):
            return (2, 0, 3, 2)

    keys = []
    for version in ((12, 3), (12, 4)):
        monkeypatch.setattr(_program, "_get_nvvm_module", lambda v=version: FakeNVVM(v))
        keys.append(make_program_cache_key(code="ir", code_type="nvvm", options=opts(), target_type="ptx"))
    assert keys[0] != keys[1]


PTX = ".version 8.0\n.target sm_90\n.address_size 64\n"


def ptx_key(**kw):
    return key(code=PTX, code_type="ptx", **kw)


def nvvm_key(**kw):
    return key(code="ir", code_type="nvvm", target_type="ptx", **kw)


def test_code_and_target_type_in_any_case():
    assert key(code_type="C++", target_type="CUBIN") == key()
    assert ptx_key(target_type="Cubin") == key(code=PTX, code_type="PTX")
    with pytest.raises(ValueError, match="not valid for code_type 'ptx'"):
        ptx_key(target_type="ltoir")


def test_name_expressions_count_for_cpp_only():
    with pytest.raises(TypeError, match="name_expressions"):
        key(name_expressions=("t<1>", 5))
    # Program.compile gives name expressions to NVRTC only: elsewhere they are not looked at
    assert ptx_key(name_expressions=("t<1>", 5)) == ptx_key()
    assert nvvm_key(name_expressions=(object(),)) == nvvm_key()


def test_options_a_backend_ignores_leave_its_key_alone():
    assert key(options=opts(use_libdevice=True)) == key(options=opts(use_libdevice=False)) == key()
    assert ptx_key(options=opts(use_libdevice=True)) == ptx_key()
    for nvrtc_only in ({"std": "c++17"}, {"define_macro": "X"}, {"include_path": "/inc"}, {"create_pch": "a.pch"}):
        assert ptx_key(options=opts(**nvrtc_only)) == ptx_key(), nvrtc_only
    # what the linker gets is what counts
    assert ptx_key(options=opts(debug=False)) == ptx_key(options=opts())
    assert ptx_key(options=opts(time=True)) == ptx_key(options=opts(time="t.csv"))
    assert ptx_key(options=opts(ptxas_options="-v")) == ptx_key(options=opts(ptxas_options=["-v"]))
    assert ptx_key(options=opts(ptxas_options=[])) == ptx_key()
    assert ptx_key(options=opts(max_register_count=32)) != ptx_key()
    assert nvvm_key(options=opts(use_libdevice=False)) == nvvm_key()
    assert nvvm_key(options=opts(use_libdevice=True), extra_digest=b"libdevice") != nvvm_key(extra_digest=b"libdevice")


def test_extra_sources_are_for_nvvm_only():
    sources = [("m", "ir")]
    for k in (key, ptx_key):
        with pytest.raises(ValueError, match="extra_sources"):
            k(options=opts(extra_sources=sources))
    assert nvvm_key(options=opts(extra_sources=sources)) != nvvm_key()


@pytest.mark.parametrize(
    "field, value",
    [
        ("create_pch", "a.pch"),
        ("create_pch", False),  # NVRTC still gets --create-pch=False
        ("time", "t.csv"),
        ("time", True),
        ("fdevice_time_trace", "trace.json"),
        ("fdevice_time_trace", pathlib.Path("trace.json")),
    ],
)
def test_options_that_write_files_are_refused_for_cpp(field, value):
    with pytest.raises(ValueError, match=f"{field}.*side effect"):
        key(options=opts(**{field: value}), extra_digest=b"no help")


def test_options_that_read_nothing_need_no_digest():
    for quiet in ({"include_path": []}, {"include_path": False}, {"pre_include": ()}, {"pch": False}):
        assert key(options=opts(**quiet)) == key(), quiet
    with pytest.raises(ValueError, match=r"use_pch.*extra_digest"):
        key(options=opts(use_pch=False))  # NVRTC still gets --use-pch=False


@pytest.mark.parametrize("name", ["dir/k.cu", "dir\\k.cu", "/abs/k.cu", "../k.cu"])
def test_name_with_a_directory_needs_a_digest(name):
    with pytest.raises(ValueError, match="directory component"):
        key(options=opts(name=name))
    assert key(options=opts(name=name), extra_digest=b"headers") != key(extra_digest=b"headers")
    assert ptx_key(options=opts(name=name))  # only NVRTC searches beside the source


def test_key_does_not_change_with_cuda_core_version(monkeypatch):
    import cuda.core
    import cuda.core._version

    before = (key(), ptx_key(), nvvm_key())
    monkeypatch.setattr(cuda.core, "__version__", "999.0.0")
    monkeypatch.setattr(cuda.core._version, "__version__", "999.0.0")
    assert (key(), ptx_key(), nvvm_key()) == before


def test_key_needs_no_blake2b(monkeypatch):
    import hashlib

    expected = key()
    monkeypatch.setattr(hashlib, "blake2b", None)  # FIPS-mode Pythons may lack it
    assert key() == expected


# --- the caches --------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "file"])
def cache(request, tmp_path):
    if request.param == "memory":
        c = InMemoryProgramCache()
    else:
        c = FileStreamProgramCache(tmp_path / "cache")
    yield c
    c.close()


def test_is_a_program_cache_resource(cache):
    assert isinstance(cache, ProgramCacheResource)


def test_set_get_delete(cache):
    cache[b"k1"] = b"\x00\x01payload"
    assert cache[b"k1"] == b"\x00\x01payload"
    assert cache["k1"] == b"\x00\x01payload"  # str keys are their UTF-8 bytes
    assert cache.get(b"missing") is None
    assert cache.get(b"missing", b"default") == b"default"
    with pytest.raises(KeyError):
        cache[b"missing"]
    cache["k1"] = bytearray(b"new")
    assert cache[b"k1"] == b"new"
    del cache[b"k1"]
    assert cache.get(b"k1") is None
    with pytest.raises(KeyError):
        del cache[b"k1"]


def test_values_may_be_object_code(cache, tmp_path):
    cache[b"a"] = ObjectCode.from_cubin(b"\x7fELF-bytes")
    assert cache[b"a"] == b"\x7fELF-bytes"
    path = tmp_path / "on_disk.cubin"
    path.write_bytes(b"file content")
    cache[b"b"] = ObjectCode.from_cubin(str(path))
    path.write_bytes(b"changed later")
    assert cache[b"b"] == b"file content"  # the content was stored, not the path


def test_update_and_clear(cache):
    cache.update({b"a": b"1", "b": b"2"})
    cache.update([(b"c", b"3")])
    assert [cache[k] for k in (b"a", b"b", b"c")] == [b"1", b"2", b"3"]
    cache.clear()
    assert all(cache.get(k) is None for k in (b"a", b"b", b"c"))


def test_bad_keys_and_values(cache):
    with pytest.raises(TypeError, match="bytes or str"):
        cache[5] = b"x"
    with pytest.raises(TypeError):
        cache[b"k"] = 12
    with pytest.raises(TypeError):
        cache[b"k"] = "text"


def test_no_membership_test_and_not_iterable(cache):
    with pytest.raises(TypeError):
        b"k" in cache  # noqa: B015
    with pytest.raises(TypeError):
        iter(cache)


def test_context_manager(tmp_path):
    with InMemoryProgramCache() as c:
        assert isinstance(c, InMemoryProgramCache)
        c[b"a"] = b"1"
    with FileStreamProgramCache(tmp_path) as f:
        assert isinstance(f, FileStreamProgramCache)
        f[b"a"] = b"1"
    assert FileStreamProgramCache(tmp_path)[b"a"] == b"1"  # entries outlive the object


def test_in_memory_lru_eviction():
    c = InMemoryProgramCache(max_size_bytes=10)
    c[b"a"] = b"1234"
    c[b"b"] = b"1234"
    assert c[b"a"] == b"1234"  # a is now the most recently used
    c[b"c"] = b"1234"  # 12 bytes > 10: evicts b, the least recently used
    assert c.get(b"b") is None
    assert c[b"a"] == b"1234" and c[b"c"] == b"1234"
    c[b"big"] = b"x" * 11  # larger than the cap: nothing can stay
    assert c.get(b"big") is None and c.get(b"a") is None


def test_max_size_checks(tmp_path):
    for bad in (-1, 0):  # 0 would drop every entry as it is written
        with pytest.raises(ValueError, match="positive"):
            InMemoryProgramCache(max_size_bytes=bad)
        with pytest.raises(ValueError, match="positive"):
            FileStreamProgramCache(tmp_path, max_size_bytes=bad)
    with pytest.raises(TypeError):
        FileStreamProgramCache(tmp_path, max_size_bytes=1.5)


def test_resource_subclasses_write_the_mapping_methods():
    assert ProgramCacheResource.__abstractmethods__ == {"__getitem__", "__setitem__", "__delitem__", "__len__", "clear"}


def test_len(cache):
    assert len(cache) == 0
    cache.update([(b"a", b"1"), (bytearray(b"b"), b"2")])
    cache["a"] = b"one"
    assert len(cache) == 2
    del cache[b"a"]
    assert len(cache) == 1


def test_value_errors_say_what_went_wrong(cache, tmp_path):
    with pytest.raises(TypeError, match="bytes-like or ObjectCode, got str"):
        cache[b"k"] = "text"
    gone = tmp_path / "gone.cubin"
    gone.write_bytes(b"x")
    code = ObjectCode.from_cubin(str(gone))
    gone.unlink()
    with pytest.raises(FileNotFoundError, match="path-backed ObjectCode") as info:
        cache[b"k"] = code
    assert str(gone) in str(info.value)


def test_file_cache_cap_counts_writes_in_flight(tmp_path):
    first = FileStreamProgramCache(tmp_path, max_size_bytes=100)
    first[b"a"] = b"a" * 40
    os.utime(first._entry_path(b"a"), (1, 1))  # the least recently read
    first[b"b"] = b"b" * 40
    (tmp_path / "tmp" / "in-flight").write_bytes(b"x" * 30)  # another writer's
    c = FileStreamProgramCache(tmp_path, max_size_bytes=100)  # counts what is on disk
    c[b"c"] = b"c" * 10  # 120 bytes on disk: "a" goes
    assert c.get(b"a") is None
    assert c[b"b"] == b"b" * 40 and c[b"c"] == b"c" * 10
    assert (tmp_path / "tmp" / "in-flight").exists()


def test_file_cache_cap_sees_other_processes_entries(tmp_path):
    FileStreamProgramCache(tmp_path)[b"other"] = b"o" * 80  # before this cache opened
    c = FileStreamProgramCache(tmp_path, max_size_bytes=100)
    os.utime(c._entry_path(b"other"), (1, 1))
    c[b"mine"] = b"m" * 30
    assert c.get(b"other") is None and c[b"mine"] == b"m" * 30


def _entry_files(root):
    return [p for p in (root / "entries").rglob("*") if p.is_file()]


def test_file_cache_persists_and_stores_raw_bytes(tmp_path):
    a = FileStreamProgramCache(tmp_path)
    a[b"key"] = b"raw cubin"
    b = FileStreamProgramCache(str(tmp_path))
    assert b[b"key"] == b"raw cubin"
    files = _entry_files(tmp_path)
    assert len(files) == 1 and files[0].read_bytes() == b"raw cubin"  # no header or pickling
    name = hashlib.sha256(b"key").hexdigest()  # entries/<2 hex>/<62 hex>, from the key's SHA-256
    assert files[0] == tmp_path / "entries" / name[:2] / name[2:]
    assert not list((tmp_path / "tmp").iterdir())  # nothing left in flight


def test_file_cache_removes_abandoned_temporary_files(tmp_path):
    FileStreamProgramCache(tmp_path)
    old = tmp_path / "tmp" / "abandoned"
    fresh = tmp_path / "tmp" / "in-flight"
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    os.utime(old, (1, 1))
    c = FileStreamProgramCache(tmp_path)  # opening sweeps tmp/
    assert not old.exists()  # left by a crashed writer
    assert fresh.exists()  # may belong to a writer still at work
    c[b"k"] = b"v"
    os.utime(fresh, (1, 1))
    c.clear()  # so does clear()
    assert not fresh.exists()
    assert c.get(b"k") is None


def test_file_cache_len_and_layout_repairs(tmp_path):
    import shutil

    c = FileStreamProgramCache(tmp_path)
    assert len(c) == 0
    c.update({b"a": b"1", b"b": b"2", "c": b"3"})
    c[b"a"] = b"one"  # a replacement is still one entry
    assert len(c) == 3
    del c[b"b"]
    assert len(c) == 2
    shutil.rmtree(tmp_path / "tmp")  # removed by hand under a live cache
    shutil.rmtree(tmp_path / "entries")
    c[b"d"] = b"4"
    assert c[b"d"] == b"4" and len(c) == 1
    c.clear()
    assert len(c) == 0


def test_file_cache_clear_keeps_a_concurrently_replaced_entry(tmp_path, monkeypatch):
    import cuda.core._program_cache as C

    c = FileStreamProgramCache(tmp_path)
    other = FileStreamProgramCache(tmp_path)
    c[b"a"] = b"old"
    c[b"b"] = b"old"
    real_stats = C._stats
    raced = []

    def stats_then_race(items):  # another writer replaces "a" between the scan and the removal
        out = real_stats(items)
        if not raced:
            raced.append(True)
            other[b"a"] = b"fresh from another writer"
        return out

    monkeypatch.setattr(C, "_stats", stats_then_race)
    c.clear()
    monkeypatch.undo()
    assert c[b"a"] == b"fresh from another writer"
    assert c.get(b"b") is None


def test_file_cache_default_path(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    c = FileStreamProgramCache()
    assert c.path == str(tmp_path / "cuda-python" / "program-cache")
    c[b"k"] = b"v"
    assert c[b"k"] == b"v"


def test_file_cache_evicts_least_recently_read(tmp_path):
    c = FileStreamProgramCache(tmp_path, max_size_bytes=25)
    for i, name in enumerate((b"old", b"mid", b"new")):
        c[name] = b"x" * 10 if name != b"new" else b"y" * 5
        # spread access times explicitly (file systems may not update atime on reads)
        os.utime(c._entry_path(name), ns=(1_000_000_000 * (i + 1), 1_000_000_000 * (i + 1)))
    c[b"old"]  # reading bumps old's access time: mid is now the least recently read
    c[b"extra"] = b"z" * 5  # 30 bytes > 25
    assert c.get(b"mid") is None
    assert c[b"old"] == b"x" * 10 and c[b"new"] == b"y" * 5 and c[b"extra"] == b"z" * 5


def _writer(path, key, value, rounds, sizes):
    c = FileStreamProgramCache(path)
    for _ in range(rounds):
        c[key] = value
        got = c.get(key)  # another writer may have replaced it, but only with a whole value
        assert got is not None and len(got) in sizes and len(set(got)) == 1


def _reader(path, key, sizes, rounds, bad):
    c = FileStreamProgramCache(path)
    for _ in range(rounds):
        got = c.get(key)
        if got is not None and len(got) not in sizes:
            bad.value += 1
        if got is not None and len(set(got)) != 1:  # every writer writes one repeated byte
            bad.value += 1


def test_concurrent_writers_and_readers(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    values = [bytes([65 + i]) * (50_000 + 1000 * i) for i in range(4)]
    bad = ctx.Value("i", 0)
    sizes = {len(v) for v in values}
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), b"shared", v, 40, sizes)) for v in values]
    procs += [
        ctx.Process(target=_writer, args=(str(tmp_path), b"own%d" % i, v, 10, {len(v)})) for i, v in enumerate(values)
    ]
    procs.append(ctx.Process(target=_reader, args=(str(tmp_path), b"shared", {len(v) for v in values}, 200, bad)))
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    assert bad.value == 0
    c = FileStreamProgramCache(tmp_path)
    assert c[b"shared"] in values  # one whole value won
    for i, v in enumerate(values):
        assert c[b"own%d" % i] == v
    assert not list((tmp_path / "tmp").iterdir())


# --- Program.compile(cache=...) ----------------------------------------------------------------


class Counting:
    def __init__(self, monkeypatch):
        import cuda.core._program as P

        self.calls = 0
        original = P.Program._compile_uncached

        def counted(program, *args):
            self.calls += 1
            return original(program, *args)

        monkeypatch.setattr(P.Program, "_compile_uncached", counted)


@pytest.mark.parametrize("kind", ["memory", "file"])
def test_compile_miss_then_hit(monkeypatch, tmp_path, kind):
    counter = Counting(monkeypatch)
    cache = InMemoryProgramCache() if kind == "memory" else FileStreamProgramCache(tmp_path)
    prog = Program(SRC, "c++", opts(name="cached.cu"))
    first = prog.compile("cubin", cache=cache)
    assert counter.calls == 1
    second = prog.compile("cubin", cache=cache)
    assert counter.calls == 1  # served from the cache
    assert second.code == first.code and second.code[:4] == b"\x7fELF"
    assert second.code_type == "cubin" and second.name == "cached.cu"
    third = Program(SRC, "c++", opts(name="cached.cu")).compile("cubin", cache=cache)
    assert counter.calls == 1 and third.code == first.code  # another Program, same inputs
    Program(SRC, "c++", opts(name="cached.cu", debug=True)).compile("cubin", cache=cache)
    assert counter.calls == 2  # other options: a miss
    key_ = make_program_cache_key(code=SRC, code_type="c++", options=opts(name="cached.cu"), target_type="cubin")
    assert cache[key_] == first.code


def test_hit_writes_no_log(monkeypatch):
    cache = InMemoryProgramCache()

    class Sink:
        text = ""

        def write(self, s):
            self.text += s

    src = "__global__ void k(int* p) { int unused_variable; *p = 1; }"
    miss, hit = Sink(), Sink()
    Program(src, "c++", opts()).compile("ptx", logs=miss, cache=cache)
    Program(src, "c++", opts()).compile("ptx", logs=hit, cache=cache)
    assert "unused_variable" in miss.text
    assert hit.text == ""


def test_cache_with_name_expressions_is_refused():
    with pytest.raises(ValueError, match="name_expressions"):
        Program(SRC, "c++", opts()).compile("cubin", name_expressions=("t<1>",), cache=InMemoryProgramCache())


def test_cache_must_be_a_resource():
    with pytest.raises(TypeError, match="ProgramCacheResource"):
        Program(SRC, "c++", opts()).compile("cubin", cache={})


def _nvjitlink_release() -> tuple[int, int]:
    try:
        from cuda.bindings import nvjitlink

        return nvjitlink.version()
    except Exception:  # no nvJitLink: the driver links, and reads what the driver's CUDA reads
        return (99, 0)


def test_cached_nvvm_and_ptx(tmp_path):
    from test_program import nvvm_ir

    cache = FileStreamProgramCache(tmp_path)
    a = Program(nvvm_ir(), "nvvm", opts()).compile("ptx", cache=cache)
    b = Program(nvvm_ir(), "nvvm", opts()).compile("ptx", cache=cache)
    assert a.code == b.code and b"store_one" in b.code
    ptx = a.code.decode()
    isa = re.search(r"^\.version (\d+)\.", ptx, re.M)
    if isa and int(isa[1]) >= 9 and _nvjitlink_release() < (13, 0):  # the GPU image's NVVM, the 12.9 line's nvJitLink
        pytest.skip(f"this NVVM writes PTX ISA {isa[1]}.x, which CUDA 13 brought; nvJitLink here is of CUDA 12")
    c = Program(ptx, "ptx", opts()).compile("cubin", cache=cache)
    d = Program(ptx, "ptx", opts()).compile("cubin", cache=cache)
    assert c.code == d.code and d.code[:4] == b"\x7fELF"
    digest = hashlib.blake2b(c.code).digest()
    assert digest == hashlib.blake2b(d.code).digest()


def test_cached_ptx_with_linker_timing():
    from cuda.core._toolchain import linker_backend

    if linker_backend() != "nvJitLink":
        pytest.skip("the driver linker has no -time")
    ptx = Program(SRC, "c++", opts()).compile("ptx").code.decode()
    cache = InMemoryProgramCache()
    first = Program(ptx, "ptx", opts(time=True)).compile("cubin", cache=cache)  # -time only logs
    assert len(cache) == 1
    assert Program(ptx, "ptx", opts(time="t.csv")).compile("cubin", cache=cache).code == first.code
    assert len(cache) == 1  # the same linker options: a hit
