# SPDX-License-Identifier: Apache-2.0
"""Program and ProgramOptions: compiles with NVRTC, libNVVM and the linker, no GPU needed."""

from __future__ import annotations

import dataclasses
import re

import pytest

from cuda.core import Program, ProgramOptions
from cuda.core._errors import CUDAError, NVRTCError

ARCH = "sm_90"

KERNELS = r"""
extern "C" __global__ void scale(float* p, float s, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) p[i] *= s;
}

template <typename T>
__global__ void fill(T* p, T v) { p[threadIdx.x] = v; }

namespace ns { __global__ void inner(int* p) { *p = 7; } }
"""


DATALAYOUT = (
    "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-i128:128:128-f32:32:32-f64:64:64"
    "-v16:16:16-v32:32:32-v64:64:64-v128:128:128-n16:32:64"
)


def nvvm_ir():
    from cuda.bindings import nvvm

    major, minor, dmajor, dminor = nvvm.ir_version()
    return f"""target datalayout = "{DATALAYOUT}"
target triple = "nvptx64-nvidia-cuda"

define void @store_one(float* %p) {{
  store float 1.0, float* %p
  ret void
}}

!nvvm.annotations = !{{!0}}
!0 = !{{void (float*)* @store_one, !"kernel", i32 1}}
!nvvmir.version = !{{!1}}
!1 = !{{i32 {major}, i32 {minor}, i32 {dmajor}, i32 {dminor}}}
"""


def opts(**kw):
    return ProgramOptions(arch=ARCH, **kw)


# --- compiling C++ -----------------------------------------------------------------------------


def test_cpp_to_ptx():
    prog = Program(KERNELS, "c++", opts())
    assert prog.backend == "NVRTC"
    obj = prog.compile("ptx")
    assert obj.code_type == "ptx"
    assert obj.name == "default_program"
    text = obj.code.decode()
    assert ".target sm_90" in text
    assert ".visible .entry scale(" in text
    assert not obj.code.endswith(b"\0")
    prog.close()


def test_cpp_to_cubin_is_elf():
    obj = Program(KERNELS, "c++", opts(name="kernels.cu")).compile("cubin")
    assert obj.code_type == "cubin"
    assert obj.code[:4] == b"\x7fELF"
    assert obj.name == "kernels.cu"
    assert len(obj.code) > 1000


def test_cpp_to_ltoir():
    obj = Program(KERNELS, "c++", opts(relocatable_device_code=True)).compile("ltoir")
    assert obj.code_type == "ltoir"
    assert len(obj.code) > 100
    assert obj.code[:4] != b"\x7fELF"


@pytest.mark.parametrize("target", ["ptx", "cubin"])
def test_lto_option_needs_ltoir_target(target):
    prog = Program(KERNELS, "c++", opts(link_time_optimization=True))
    with pytest.raises(ValueError, match="ltoir"):
        prog.compile(target)
    assert len(prog.compile("ltoir").code) > 100


def test_compile_twice_with_different_targets_and_names():
    prog = Program(KERNELS, "c++", opts())
    a = prog.compile("ptx", name_expressions=("fill<int>",))
    b = prog.compile("cubin", name_expressions=("fill<float>",))
    assert a.symbol_mapping == {"fill<int>": b"_Z4fillIiEvPT_S0_"}
    assert b.symbol_mapping == {"fill<float>": b"_Z4fillIfEvPT_S0_"}
    assert b.code[:4] == b"\x7fELF"


def test_name_expressions_map_to_mangled_names():
    prog = Program(KERNELS, "c++", opts())
    obj = prog.compile("cubin", name_expressions=["fill<float>", "ns::inner", b"scale", "fill<double>"])
    mapping = obj.symbol_mapping
    assert mapping["fill<float>"] == b"_Z4fillIfEvPT_S0_"
    assert mapping["fill<double>"] == b"_Z4fillIdEvPT_S0_"
    assert mapping["ns::inner"] == b"_ZN2ns5innerEPi"
    assert mapping[b"scale"] == b"scale"
    assert "scale" not in mapping  # keys are kept as given (bytes stays bytes)
    mapping["x"] = b"y"  # a copy: the ObjectCode's own mapping is unchanged
    assert "x" not in obj.symbol_mapping


def test_bad_name_expression_is_nvrtc_error():
    prog = Program(KERNELS, "c++", opts())
    with pytest.raises(NVRTCError) as info:
        prog.compile("ptx", name_expressions=("no_such_kernel<int>",))
    assert "no_such_kernel" in str(info.value)


@pytest.mark.parametrize("bad", ["fill<int>", [1], (None,)])
def test_name_expressions_type_checked(bad):
    prog = Program(KERNELS, "c++", opts())
    with pytest.raises(TypeError):
        prog.compile("ptx", name_expressions=bad)


def test_bad_source_raises_nvrtc_error_with_log():
    src = "__global__ void ok() {}\n__global__ void broken(int* p) {\n  *p = undefined_thing;\n}\n"
    prog = Program(src, "c++", opts(name="broken.cu"))
    with pytest.raises(NVRTCError) as info:
        prog.compile("ptx")
    message = str(info.value)
    assert "NVRTC_ERROR_COMPILATION" in message
    assert "broken.cu(3): error" in message  # the log names the file and the line
    assert "undefined_thing" in message
    assert info.value.name == "NVRTC_ERROR_COMPILATION"
    assert info.value.code == 6
    assert isinstance(info.value, CUDAError)


def test_logs_receive_warnings():
    class Sink:
        def __init__(self):
            self.parts = []

        def write(self, text):
            self.parts.append(text)

    src = "__global__ void k(int* p) { int unused_variable; *p = 1; }"
    sink = Sink()
    Program(src, "c++", opts(name="warn.cu")).compile("ptx", logs=sink)
    log = "".join(sink.parts)
    assert "unused_variable" in log
    assert "warn.cu(1)" in log


def test_logs_needs_write():
    with pytest.raises(TypeError):
        Program(KERNELS, "c++", opts()).compile("ptx", logs=object())


@pytest.mark.parametrize("target", ["fatbin", "obj", "CUBINX"])
def test_unknown_target_type(target):
    with pytest.raises(ValueError, match="target_type"):
        Program(KERNELS, "c++", opts()).compile(target)


def test_a_target_type_of_the_wrong_kind_is_a_value_error_too():
    with pytest.raises(TypeError, match="target_type must be a str, got object") as info:
        Program(KERNELS, "c++", opts()).compile(object())
    assert isinstance(info.value, ValueError)  # what NVIDIA's raise


def test_code_type_checks():
    with pytest.raises(ValueError, match="code_type"):
        Program(KERNELS, "cuda", opts())
    with pytest.raises(RuntimeError, match="Unsupported code_type=3: a str is expected"):  # as NVIDIA's
        Program(KERNELS, 3, opts())
    with pytest.raises(TypeError):
        Program(b"__global__ void k(){}", "c++", opts())
    with pytest.raises(TypeError):
        Program(KERNELS, "c++", options=[("arch", ARCH)])  # a dict is taken (NVIDIA's do), a list is not


def test_code_type_case_insensitive():
    assert Program(KERNELS, "C++", opts()).backend == "NVRTC"


def test_close_and_handle():
    from cuda.bindings import nvrtc

    prog = Program(KERNELS, "c++", opts())
    assert isinstance(prog.handle, nvrtc.nvrtcProgram)
    assert int(prog.handle) != 0
    assert not prog.is_closed
    prog.close()
    assert prog.is_closed
    assert prog.handle is None
    prog.close()  # twice is fine
    with pytest.raises(RuntimeError, match="closed"):
        prog.compile("ptx")


def test_context_manager_closes():
    with Program(KERNELS, "c++", opts()) as prog:
        assert prog.compile("ptx").code
    assert prog.is_closed


def test_pch_status():
    prog = Program(KERNELS, "c++", opts())
    assert prog.pch_status is None
    prog.compile("ptx")
    assert prog.pch_status is None  # no PCH asked for


def test_pch_created(tmp_path):
    header = tmp_path / "common.h"
    header.write_text("#pragma once\ntemplate <typename T> __device__ T twice(T v) { return v + v; }\n")
    src = '#include "common.h"\n__global__ void k(int* p) { *p = twice(*p); }\n'
    pch = tmp_path / "common.pch"
    prog = Program(src, "c++", opts(include_path=str(tmp_path), create_pch=str(pch)))
    prog.compile("ptx")
    assert prog.pch_status == "created"
    assert pch.exists() and pch.stat().st_size > 0
    user = Program(src, "c++", opts(include_path=str(tmp_path), use_pch=str(pch)))
    assert b"shl.b32" in user.compile("ptx").code  # twice() inlined as a shift
    assert user.pch_status is None  # using a PCH is not creating one


def test_repr():
    """NVIDIA's format names the backend."""
    prog = Program(KERNELS, "c++", opts(name="r.cu"))
    assert repr(prog) == "<Program backend='NVRTC'>"
    prog.close()
    assert repr(prog) == "<Program backend='NVRTC'>"


# --- compiling NVVM IR and PTX -----------------------------------------------------------------


def test_nvvm_to_ptx_and_ltoir():
    prog = Program(nvvm_ir(), "nvvm", opts())
    assert prog.backend == "NVVM"
    assert isinstance(prog.handle, int) and prog.handle != 0
    ptx = prog.compile("ptx")
    text = ptx.code.decode()
    assert ".visible .entry store_one" in text
    assert ".target sm_90" in text
    ltoir = prog.compile("ltoir")
    assert ltoir.code_type == "ltoir" and len(ltoir.code) > 100
    prog.close()
    assert prog.is_closed


def test_nvvm_bytes_source_and_options():
    prog = Program(nvvm_ir().encode(), "nvvm", opts(ftz=True, prec_div=False, fma=True, device_code_optimize=True))
    assert b"store_one" in prog.compile("ptx").code


def test_nvvm_extra_sources_and_libdevice():
    extra = nvvm_ir().replace("store_one", "store_two").replace("float 1.0", "float 2.0")
    prog = Program(nvvm_ir(), "nvvm", opts(extra_sources=[("second", extra)], use_libdevice=True))
    text = prog.compile("ptx").code.decode()
    assert "store_one" in text and "store_two" in text


def test_nvvm_each_option_compiles():
    for kw in ({"debug": True}, {"prec_sqrt": False}, {"device_code_optimize": False}, {"fma": True}):
        assert b".entry store_one" in Program(nvvm_ir(), "nvvm", opts(**kw)).compile("ptx").code
    lto = Program(nvvm_ir(), "nvvm", opts(link_time_optimization=True))
    assert lto.compile("ltoir").code_type == "ltoir"
    # the target decides, as with NVIDIA's: link_time_optimization does not stop PTX
    assert b".entry store_one" in lto.compile("ptx").code


def test_nvvm_cannot_make_cubin():
    with pytest.raises(ValueError, match="cubin"):
        Program(nvvm_ir(), "nvvm", opts()).compile("cubin")


def test_nvvm_rejects_nvrtc_only_options():
    prog = Program(nvvm_ir(), "nvvm", opts(std="c++17", restrict=True))
    with pytest.raises(CUDAError, match=r"^The following options are not supported by NVVM backend: std, restrict$"):
        prog.compile("ptx")
    # refused as NVIDIA's refuse them: these whatever their value, the others when true
    for kw in ({"relocatable_device_code": False}, {"lineinfo": True}, {"numba_debug": True}, {"time": "t.csv"}):
        with pytest.raises(CUDAError, match=f": {next(iter(kw))}$"):
            opts(**kw).as_bytes("nvvm")
    for kw in ({"lineinfo": False}, {"no_cache": True}, {"pch": True}, {"link_time_optimization": True}):
        assert opts(**kw).as_bytes("nvvm") == [b"-arch=compute_90"]  # left out, as NVIDIA's leave them


def test_nvvm_bad_ir_names_the_problem():
    prog = Program("this is not LLVM IR", "nvvm", opts(name="junk.ll"))
    with pytest.raises(CUDAError) as info:
        prog.compile("ptx")
    assert "junk.ll" in str(info.value)


def test_nvvm_ignores_name_expressions():
    # only NVRTC names instantiations; NVIDIA's NVVM and PTX programs ignore name_expressions
    obj = Program(nvvm_ir(), "nvvm", opts()).compile("ptx", name_expressions=("x", 123))
    assert obj.code_type == "ptx"


def test_ptx_source_to_cubin():
    ptx = Program(KERNELS, "c++", opts()).compile("ptx").code.decode()
    prog = Program(ptx, "ptx", opts(max_register_count=32, lineinfo=True))
    assert prog.backend in ("nvJitLink", "driver")
    cubin = prog.compile("cubin")
    assert cubin.code[:4] == b"\x7fELF"
    prog.close()
    assert prog.is_closed


def test_ptx_source_compiles_twice():
    ptx = Program(KERNELS, "c++", opts()).compile("ptx").code.decode()
    prog = Program(ptx, "ptx", opts())
    first = prog.compile("cubin")
    second = prog.compile("cubin")  # a linker completes once: a new one is made
    assert first.code[:4] == second.code[:4] == b"\x7fELF"
    with pytest.raises(ValueError, match="target_type"):
        prog.compile("ptx")


def test_ptx_source_must_be_str():
    with pytest.raises(TypeError):
        Program(b".version 8.0", "ptx", opts())


def test_ptx_numba_debug_warns():
    ptx = Program(KERNELS, "c++", opts()).compile("ptx").code.decode()
    with pytest.warns(UserWarning, match="numba_debug"):
        Program(ptx, "ptx", opts(numba_debug=True))


def test_ptx_leaves_out_nvrtc_only_options():
    # the linker has no use for NVRTC's options: left out, as NVIDIA's leave them
    ptx = Program(KERNELS, "c++", opts()).compile("ptx").code.decode()
    obj = Program(ptx, "ptx", opts(std="c++17", define_macro="X")).compile("cubin", name_expressions=("k",))
    assert obj.code_type == "cubin"


# --- ProgramOptions ----------------------------------------------------------------------------

# field -> (a valid value, the NVRTC option strings it becomes)
VALID = {
    "name": ("abc", []),
    "arch": ("sm_80", ["-arch=sm_80"]),
    "relocatable_device_code": (True, ["--relocatable-device-code=true"]),
    "extensible_whole_program": (True, ["--extensible-whole-program"]),
    "debug": (True, ["--device-debug"]),
    "lineinfo": (True, ["--generate-line-info"]),
    "device_code_optimize": (False, ["--dopt=off"]),
    "ptxas_options": (["-v", "-O2"], ["--ptxas-options=-v", "--ptxas-options=-O2"]),
    "max_register_count": (32, ["--maxrregcount=32"]),
    "ftz": (True, ["--ftz=true"]),
    "prec_sqrt": (False, ["--prec-sqrt=false"]),
    "prec_div": (False, ["--prec-div=false"]),
    "fma": (False, ["--fmad=false"]),
    "use_fast_math": (True, ["--use_fast_math"]),
    "extra_device_vectorization": (True, ["--extra-device-vectorization"]),
    "link_time_optimization": (True, ["--dlink-time-opt"]),
    "gen_opt_lto": (True, ["--gen-opt-lto"]),
    "define_macro": ([("A", "1"), "B"], ["--define-macro=A=1", "--define-macro=B"]),
    "undefine_macro": ("X", ["--undefine-macro=X"]),
    "include_path": (("/a", "/b"), ["--include-path=/a", "--include-path=/b"]),
    "use_bundled_headers": (False, []),
    "pre_include": ("h.h", ["--pre-include=h.h"]),
    "no_source_include": (True, ["--no-source-include"]),
    "std": ("c++17", ["--std=c++17"]),
    "builtin_move_forward": (False, ["--builtin-move-forward=false"]),
    "builtin_initializer_list": (False, ["--builtin-initializer-list=false"]),
    "disable_warnings": (True, ["--disable-warnings"]),
    "restrict": (True, ["--restrict"]),
    "device_as_default_execution_space": (True, ["--device-as-default-execution-space"]),
    "device_int128": (True, ["--device-int128"]),
    "optimization_info": ("inline", ["--optimization-info=inline"]),
    "no_display_error_number": (True, ["--no-display-error-number"]),
    "diag_error": (20, ["--diag-error=20"]),
    "diag_suppress": ([177, 550], ["--diag-suppress=177", "--diag-suppress=550"]),
    "diag_warn": ((1,), ["--diag-warn=1"]),
    "brief_diagnostics": (True, ["--brief-diagnostics=true"]),
    "time": ("t.csv", ["--time=t.csv"]),
    "split_compile": (0, ["--split-compile=0"]),
    "fdevice_syntax_only": (True, ["--fdevice-syntax-only"]),
    "minimal": (True, ["--minimal"]),
    "no_cache": (True, []),
    "fdevice_time_trace": ("trace.json", ["--fdevice-time-trace=trace.json"]),
    "device_float128": (True, ["--device-float128"]),
    "frandom_seed": ("42", ["--frandom-seed=42"]),
    "ofast_compile": ("mid", ["--Ofast-compile=mid"]),
    "pch": (True, ["--pch"]),
    "create_pch": ("x.pch", ["--create-pch=x.pch"]),
    "use_pch": ("x.pch", ["--use-pch=x.pch"]),
    "pch_dir": ("/tmp/pch", ["--pch-dir=/tmp/pch"]),
    "pch_verbose": (True, ["--pch-verbose=true"]),
    "pch_messages": (False, ["--pch-messages=false"]),
    "instantiate_templates_in_pch": (True, ["--instantiate-templates-in-pch=true"]),
    "extra_sources": ([("m", "ir")], []),  # NVVM only: left out of NVRTC's options, as NVIDIA's
    "use_libdevice": (True, []),  # NVVM only: likewise
    "numba_debug": (True, ["--numba-debug"]),
}

# field -> a value of the wrong type
WRONG_TYPE = {f: 3.5 for f in VALID}
WRONG_TYPE.update({"name": 5, "arch": 90, "define_macro": 5, "extra_sources": "m", "diag_error": "20"})

# field -> a value of the right type but out of range
BAD_VALUE = {
    "arch": "ampere",
    "max_register_count": 0,
    "split_compile": -1,
    "std": "c++98",
    "ofast_compile": "fast",
    "diag_suppress": [-1],
    "define_macro": [""],
    "extra_sources": [("m", b"")],
}


EMPTY_FLAGS = {
    "use_pch": "--use-pch=",
    "pch_dir": "--pch-dir=",
    "create_pch": "--create-pch=",
    "include_path": "--include-path=",
    "pre_include": "--pre-include=",
    "frandom_seed": "--frandom-seed=",
}


@pytest.mark.parametrize("field, flag", sorted(EMPTY_FLAGS.items()))
def test_empty_strings_are_taken_as_nvidia_takes_them(field, flag):
    # NVIDIA's ProgramOptions accepts "" (NVRTC then judges the flag); so does ours
    options = ProgramOptions(arch=ARCH, name="", **{field: ""})
    assert flag in [s.decode() for s in options.as_bytes("nvrtc")]


def test_every_reference_field_is_covered():
    import json
    import pathlib

    names = json.loads((pathlib.Path(__file__).resolve().parents[2] / "ci/reference/api-names.json").read_text())
    reference = {n.split(".", 1)[1] for n in names["cuda.core"] if n.startswith("ProgramOptions.")} - {"as_bytes"}
    fields = {f.name for f in dataclasses.fields(ProgramOptions)}
    assert fields == reference
    assert set(VALID) == fields


@pytest.mark.parametrize("field", sorted(VALID))
def test_option_valid_value_maps_to_nvrtc(field):
    value, expected = VALID[field]
    kw = {"arch": ARCH, field: value}
    o = ProgramOptions(**kw)
    got = [s.decode() for s in o.as_bytes("nvrtc")]
    if field != "arch":
        assert got[0] == "-arch=sm_90"
        got = got[1:]
    else:
        assert got == expected
        return
    assert got == expected


@pytest.mark.parametrize("field", sorted(WRONG_TYPE))
def test_option_wrong_type_is_type_error_naming_it(field):
    with pytest.raises(TypeError, match=rf"ProgramOptions\.{field}\b"):
        ProgramOptions(arch=ARCH, **{field: WRONG_TYPE[field]}) if field != "arch" else ProgramOptions(arch=90)


@pytest.mark.parametrize("field", sorted(BAD_VALUE))
def test_option_bad_value_is_value_error_naming_it(field):
    kw = {field: BAD_VALUE[field]}
    if field != "arch":
        kw["arch"] = ARCH
    with pytest.raises(ValueError, match=rf"ProgramOptions\.{field}\b"):
        ProgramOptions(**kw)


def test_option_assigned_later_is_checked():
    o = opts()
    o.max_register_count = "many"
    with pytest.raises(TypeError, match="max_register_count"):
        o.as_bytes("nvrtc")


def test_ints_are_not_bools():
    with pytest.raises(TypeError, match="max_register_count"):
        ProgramOptions(arch=ARCH, max_register_count=True)
    with pytest.raises(TypeError, match="debug"):
        ProgramOptions(arch=ARCH, debug=1)


def test_as_bytes_backends():
    o = opts(debug=True, ftz=False, lineinfo=True, device_code_optimize=False, numba_debug=True)
    nvvm = opts(debug=True, ftz=False, device_code_optimize=False)
    assert o.as_bytes("nvrtc") == [
        b"-arch=sm_90",
        b"--device-debug",
        b"--generate-line-info",
        b"--dopt=off",
        b"--ftz=false",
        b"--numba-debug",
    ]
    assert nvvm.as_bytes("NVVM") == [b"-arch=compute_90", b"-g", b"-opt=0", b"-ftz=0"]
    assert all(not s.startswith(b"--") for s in nvvm.as_bytes("nvvm"))
    assert opts().as_bytes("nvvm", "ltoir") == [b"-arch=compute_90", b"-gen-lto"]
    with pytest.raises(ValueError, match="backend"):
        o.as_bytes("nvcc")


def test_define_macro_forms():
    assert opts(define_macro="A").as_bytes("nvrtc")[1:] == [b"--define-macro=A"]
    assert opts(define_macro=("A", "2")).as_bytes("nvrtc")[1:] == [b"--define-macro=A=2"]
    assert opts(define_macro=(("A", "2"), ("B", "3"))).as_bytes("nvrtc")[1:] == [
        b"--define-macro=A=2",
        b"--define-macro=B=3",
    ]


@pytest.mark.parametrize("arch", ["sm_90", "sm_90a", "sm_100f", "compute_80", "lto_90", "sm_120"])
def test_arch_forms_accepted(arch):
    assert ProgramOptions(arch=arch).arch == arch


def test_options_compile_for_real():
    """A broad set of options NVRTC accepts together, checked by compiling with them."""
    o = opts(
        std="c++17",
        define_macro=[("SCALE", "3"), "FLAG"],
        undefine_macro="UNUSED",
        ftz=True,
        prec_div=False,
        prec_sqrt=False,
        fma=True,
        lineinfo=True,
        max_register_count=64,
        extra_device_vectorization=True,
        diag_suppress=[177],
        brief_diagnostics=True,
        builtin_move_forward=True,
        restrict=True,
        split_compile=1,
        minimal=False,
        ptxas_options=["-O3"],
    )
    src = "#ifndef FLAG\n#error FLAG missing\n#endif\n__global__ void k(int* p) { *p = SCALE; }\n"
    ptx = Program(src, "c++", o).compile("ptx").code.decode()
    assert ".loc" in ptx  # lineinfo
    assert re.search(r"mov\.[bu]32\s+%r\d+, 3;", ptx)


def test_macro_changes_code():
    src = "__global__ void k(int* p) { *p = VALUE; }\n"
    a = Program(src, "c++", opts(define_macro=("VALUE", "11"))).compile("ptx").code
    b = Program(src, "c++", opts(define_macro=("VALUE", "12"))).compile("ptx").code
    assert b"11" in a and b"12" in b and a != b


def test_use_bundled_headers_needs_newer_nvrtc():
    from cuda.core._toolchain import nvrtc_version

    if nvrtc_version() >= (13, 3):
        pytest.skip("this NVRTC has bundled headers")
    with pytest.raises(CUDAError, match="use_bundled_headers"):
        Program(KERNELS, "c++", opts(use_bundled_headers=True)).compile("ptx")


def test_default_name_and_none_name():
    assert ProgramOptions(arch=ARCH).name == "default_program"
    assert ProgramOptions(arch=ARCH, name=None).name == "default_program"


def test_options_are_a_dataclass_with_equality():
    assert dataclasses.is_dataclass(ProgramOptions)
    assert opts(debug=True) == opts(debug=True)
    assert opts(debug=True) != opts(debug=False)
    assert "debug=True" in repr(opts(debug=True))


def test_no_arch_without_gpu_compiles_ptx_but_not_cubin():
    from conftest import gpu_unavailable_reason

    if gpu_unavailable_reason() is None:
        pytest.skip("a GPU is present: arch comes from it")
    o = ProgramOptions()
    assert o.arch is None
    assert b".entry" in Program(KERNELS, "c++", o).compile("ptx").code
    with pytest.raises(ValueError, match="arch"):
        Program(KERNELS, "c++", ProgramOptions()).compile("cubin")


def test_include_paths_take_path_objects(tmp_path):
    import pathlib

    opts = ProgramOptions(include_path=[tmp_path, "/b"], pre_include=pathlib.Path("h.h"))
    flags = [f"--include-path={tmp_path}".encode(), b"--include-path=/b", b"--pre-include=h.h"]
    assert opts.as_bytes("nvrtc")[-3:] == flags
    # ints pass as their text, as NVIDIA's take them; other objects are refused by name
    assert ProgramOptions(include_path=range(2)).as_bytes("nvrtc")[-2:] == [b"--include-path=0", b"--include-path=1"]
    for bad in ([None], [1.5], [True]):
        with pytest.raises(TypeError, match="include_path"):
            ProgramOptions(include_path=bad)


def test_split_compile_takes_a_bool_as_nvidia_options_do():
    on, off = ProgramOptions(arch="sm_90", split_compile=True), ProgramOptions(arch="sm_90", split_compile=False)
    assert on.as_bytes("nvrtc") == [b"-arch=sm_90", b"--split-compile=0"]  # 0: as many threads as CPUs
    assert off.as_bytes("nvrtc") == [b"-arch=sm_90"]
    assert on._linker_options().split_compile == 0 and off._linker_options().split_compile is None
    with pytest.raises(TypeError, match="split_compile"):
        ProgramOptions(split_compile="2")


def test_nvvm_module_is_asked_for_by_nvidia_name():
    from cuda.core._program import _get_nvvm_module

    try:
        nvvm = _get_nvvm_module()
    except RuntimeError as exc:
        assert "NVVM is not available" in str(exc)
    else:
        assert nvvm.version() >= (2, 0)


def test_unknown_code_type_and_backend_read_as_nvidia_messages():
    with pytest.raises(
        RuntimeError, match=r"^Unsupported code_type='fortran' \(supported_code_types=\('c\+\+', 'ptx', 'nvvm'\)\)$"
    ):
        Program("goto 100", "FORTRAN")
    with pytest.raises(ValueError, match="Unknown backend 'invalid'"):
        ProgramOptions(arch="sm_80").as_bytes("invalid")
