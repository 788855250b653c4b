# SPDX-License-Identifier: Apache-2.0
"""ObjectCode and Kernel without a GPU: construction, checks, pickling, handles."""

from __future__ import annotations

import os
import pathlib
import pickle

import pytest

from cuda.core import Kernel, ObjectCode, Program, ProgramOptions

SRC = 'extern "C" __global__ void k(int* p) { *p = 42; }\ntemplate <int N> __global__ void t(int* p) { *p = N; }\n'


@pytest.fixture(scope="module")
def compiled():
    prog = Program(SRC, "c++", ProgramOptions(arch="sm_90", name="mod.cu"))
    return prog.compile("cubin", name_expressions=("t<3>",)), prog.compile("ptx")


def no_driver():
    from conftest import gpu_unavailable_reason

    reason = gpu_unavailable_reason()
    return reason is not None and "driver" in reason


@pytest.mark.parametrize("kind", ["cubin", "ptx", "ltoir", "fatbin", "object", "library"])
def test_from_bytes(kind):
    data = bytes(range(256)) * 3
    obj = getattr(ObjectCode, f"from_{kind}")(data, name="blob", symbol_mapping={"a": b"_Z1a"})
    assert obj.code == data
    assert obj.code_type == kind
    assert obj.name == "blob"
    assert obj.symbol_mapping == {"a": b"_Z1a"}


@pytest.mark.parametrize("kind", ["cubin", "ptx", "ltoir", "fatbin", "object", "library"])
def test_from_path(tmp_path, kind):
    p = tmp_path / f"code.{kind}"
    p.write_bytes(b"\x01\x02")
    by_str = getattr(ObjectCode, f"from_{kind}")(str(p))
    by_path = getattr(ObjectCode, f"from_{kind}")(p)
    assert by_str.code == str(p) == by_path.code  # a path is kept as a path (str)
    assert by_str.code_type == kind
    assert by_str.name == ""
    assert by_str == by_path


def test_bytearray_and_memoryview_are_copied():
    buf = bytearray(b"abc")
    obj = ObjectCode.from_cubin(buf)
    buf[0] = 0
    assert obj.code == b"abc"
    assert ObjectCode.from_ptx(memoryview(b"xyz")).code == b"xyz"


@pytest.mark.parametrize("bad", [123, 1.5, None, ["a"]])
def test_from_bad_module_type(bad):
    with pytest.raises(TypeError, match="from_cubin"):
        ObjectCode.from_cubin(bad)


def test_bad_name_and_mapping_types():
    with pytest.raises(TypeError, match="name"):
        ObjectCode.from_cubin(b"x", name=5)
    with pytest.raises(TypeError, match="symbol_mapping"):
        ObjectCode.from_cubin(b"x", symbol_mapping=[("a", "b")])


def test_no_public_constructors():
    with pytest.raises(RuntimeError, match="from_cubin"):
        ObjectCode()
    with pytest.raises(RuntimeError, match="get_kernel"):
        Kernel()


def test_symbol_mapping_is_a_copy():
    mapping = {"a": b"b"}
    obj = ObjectCode.from_cubin(b"x", symbol_mapping=mapping)
    mapping["c"] = b"d"
    got = obj.symbol_mapping
    got["e"] = b"f"
    assert obj.symbol_mapping == {"a": b"b"}


def test_compiled_object_code(compiled):
    cubin, ptx = compiled
    assert cubin.code_type == "cubin" and cubin.name == "mod.cu"
    assert cubin.symbol_mapping == {"t<3>": b"_Z1tILi3EEvPi"}
    assert ptx.code_type == "ptx" and b".entry k(" in ptx.code


def test_pickle_round_trip(compiled):
    cubin, _ = compiled
    again = pickle.loads(pickle.dumps(cubin))
    assert again is not cubin
    assert again == cubin
    assert hash(again) == hash(cubin)
    assert again.code == cubin.code
    assert again.name == "mod.cu"
    assert again.symbol_mapping == cubin.symbol_mapping


def test_equality():
    a = ObjectCode.from_cubin(b"same")
    assert a == ObjectCode.from_cubin(b"same")
    assert a != ObjectCode.from_ptx(b"same")
    assert a != ObjectCode.from_cubin(b"other")
    assert a != "same"
    assert len({a, ObjectCode.from_cubin(b"same")}) == 1


def test_repr(compiled, tmp_path):
    """NVIDIA's format: the library handle (0 until loaded: repr does not load) and the code type."""
    cubin, _ = compiled
    assert repr(cubin) == "<ObjectCode handle=0x0 code_type='cubin'>"
    assert repr(ObjectCode.from_ptx(b"//")) == "<ObjectCode handle=0x0 code_type='ptx'>"


@pytest.mark.parametrize("kind", ["ltoir", "object", "library"])
def test_unloadable_kinds_say_link_first(kind):
    obj = getattr(ObjectCode, f"from_{kind}")(b"data")
    with pytest.raises(ValueError, match="Linker"):
        obj.get_kernel("k")
    with pytest.raises(ValueError, match="Linker"):
        _ = obj.handle


def test_get_kernel_name_type():
    with pytest.raises(TypeError):
        ObjectCode.from_cubin(b"x").get_kernel(5)


def test_missing_file_is_file_not_found(tmp_path):
    if not no_driver():
        obj = ObjectCode.from_cubin(str(tmp_path / "missing.cubin"))
        with pytest.raises(FileNotFoundError):
            obj.get_kernel("k")
    else:
        pytest.skip("needs a driver to reach the file check")


def test_loading_without_driver_names_libcuda(compiled):
    if not no_driver():
        pytest.skip("a driver is installed")
    cubin, _ = compiled
    with pytest.raises(Exception, match="libcuda"):
        cubin.get_kernel("k")


# --- Kernel.from_handle (no driver call is made) ------------------------------------------------


def test_kernel_from_int_handle():
    from cuda.bindings import driver

    k = Kernel.from_handle(0x1234)
    assert isinstance(k.handle, driver.CUkernel)
    assert int(k.handle) == 0x1234
    assert k == Kernel.from_handle(driver.CUkernel(0x1234))
    assert k != Kernel.from_handle(0x1235)
    assert hash(k) == hash(Kernel.from_handle(0x1234))
    assert "0x1234" in repr(k)


def test_kernel_from_handle_keeps_object_code():
    obj = ObjectCode.from_cubin(b"x")
    import weakref

    ref = weakref.ref(obj)
    k = Kernel.from_handle(0x10, obj)
    del obj
    assert ref() is not None  # the kernel keeps its ObjectCode alive
    del k
    assert ref() is None


@pytest.mark.parametrize("bad", [None, 1.0, "0x10", True, b"x"])
def test_kernel_from_bad_handle_type(bad):
    with pytest.raises(TypeError):
        Kernel.from_handle(bad)


def test_kernel_from_null_or_out_of_range():
    with pytest.raises(ValueError):
        Kernel.from_handle(0)
    with pytest.raises(OverflowError):
        Kernel.from_handle(-1)
    with pytest.raises(OverflowError):
        Kernel.from_handle(2**64)
    with pytest.raises(TypeError):
        Kernel.from_handle(0x10, mod="not an ObjectCode")


def test_attribute_views_check_device_argument():
    k = Kernel.from_handle(0x10)
    attrs = k.attributes
    assert k.attributes is attrs  # made once
    with pytest.raises(TypeError):
        attrs["0"]
    with pytest.raises(TypeError):
        attrs[True]
    with pytest.raises(ValueError):
        attrs[-1]
    view = attrs[3]
    assert "device 3" in repr(view)
    assert "current device" in repr(attrs)
    assert k.occupancy is k.occupancy


def test_module_is_cython_and_kernel_keeps_c_handle():
    import cuda.core._module as m

    assert m.__file__.endswith(".so")
    import cuda.core

    # beside the package, not the extension (a wheel for both lines keeps the 12.x one in _cu12/)
    pxd = pathlib.Path(cuda.core.__file__).with_name("_module.pxd").read_text()
    assert "cdef cydriver.CUkernel _handle" in pxd


def test_import_cuda_core_does_not_load_module():
    import subprocess
    import sys

    code = "import sys, cuda.core; print('cuda.core._module' in sys.modules, 'cuda.core._program' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    assert out.stdout.split() == ["False", "False"]
