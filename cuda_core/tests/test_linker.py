# SPDX-License-Identifier: Apache-2.0
"""Linker and LinkerOptions: nvJitLink links without a GPU; the driver fallback's checks."""

from __future__ import annotations

import dataclasses
import warnings

import pytest

from cuda.core import Linker, LinkerOptions, ObjectCode, Program, ProgramOptions
from cuda.core._errors import CUDAError

ARCH = "sm_90"
CALLER = (
    'extern "C" __device__ float helper(float x);\n'
    'extern "C" __global__ void entry(float* p) { p[0] = helper(p[0]); }\n'
)
CALLEE = 'extern "C" __device__ float helper(float x) { return 2.0f * x + 1.0f; }\n'


def compile_rdc(src, target, lto=False):
    o = ProgramOptions(arch=ARCH, relocatable_device_code=True, link_time_optimization=lto or None)
    return Program(src, "c++", o).compile(target)


@pytest.fixture(scope="module")
def ltoirs():
    return compile_rdc(CALLER, "ltoir", lto=True), compile_rdc(CALLEE, "ltoir", lto=True)


def test_backend_is_nvjitlink():
    assert Linker.which_backend() == "nvJitLink"


def test_link_ltoir_to_cubin(ltoirs):
    linker = Linker(*ltoirs, options=LinkerOptions(arch=ARCH, link_time_optimization=True, name="linked"))
    assert isinstance(linker.handle, int) and linker.handle != 0
    assert linker.backend == "nvJitLink"
    cubin = linker.link("cubin")
    assert cubin.code_type == "cubin"
    assert cubin.code[:4] == b"\x7fELF"
    assert cubin.name == "linked"
    assert b"entry" in cubin.code
    assert linker.get_error_log() == ""
    linker.close()
    assert linker.is_closed and linker.handle is None
    linker.close()


def test_link_ltoir_to_ptx(ltoirs):
    linker = Linker(*ltoirs, options=LinkerOptions(arch=ARCH, link_time_optimization=True, ptx=True))
    ptx = linker.link("ptx")
    text = ptx.code.decode()
    assert ".visible .entry entry(" in text
    assert "helper" not in text or ".func" in text  # helper inlined or kept as a device function
    assert not ptx.code.endswith(b"\0")


def test_link_ptx_objects_to_cubin():
    a = compile_rdc(CALLER, "ptx")
    b = compile_rdc(CALLEE, "ptx")
    cubin = Linker(a, b, options=LinkerOptions(arch=ARCH)).link("cubin")
    assert cubin.code[:4] == b"\x7fELF"


def test_link_cubins():
    a = compile_rdc(CALLER, "cubin")
    b = compile_rdc(CALLEE, "cubin")
    cubin = Linker(a, b, options=LinkerOptions(arch=ARCH)).link("cubin")
    assert cubin.code[:4] == b"\x7fELF"


def test_link_from_files(tmp_path, ltoirs):
    paths = []
    for i, obj in enumerate(ltoirs):
        p = tmp_path / f"part{i}.ltoir"
        p.write_bytes(obj.code)
        paths.append(ObjectCode.from_ltoir(str(p)))
    cubin = Linker(*paths, options=LinkerOptions(arch=ARCH, link_time_optimization=True)).link("cubin")
    assert cubin.code[:4] == b"\x7fELF"


def test_info_log_with_verbose(ltoirs):
    options = LinkerOptions(arch=ARCH, link_time_optimization=True, verbose=True, time=True)
    linker = Linker(*ltoirs, options=options)
    linker.link("cubin")
    log = linker.get_info_log()
    # -time always writes its lines; what -verbose adds is the library's choice: nvJitLink 13.5
    # names each function it compiles, 13.0 (an H100's image) wrote nothing more in a fresh
    # process, the same through the bindings alone
    assert "nvJitLink time" in log
    assert "Compiling entry function" not in log or "'entry' for 'sm_90'" in log


def test_unresolved_symbol_raises_with_log():
    from cuda.bindings import nvjitlink

    a = compile_rdc(CALLER, "ptx")
    linker = Linker(a, options=LinkerOptions(arch=ARCH))
    with pytest.raises(nvjitlink.nvJitLinkError) as info:
        linker.link("cubin")
    assert "helper" in info.value.error_log  # str() is NVIDIA's "NAME (code)"; the log rides along
    assert "helper" in linker.get_error_log()


def test_ltoir_without_lto_flag_fails(ltoirs):
    from cuda.bindings import nvjitlink

    # 13.x's nvJitLink names the missing -lto; 12.9's says ERROR_INTERNAL
    lto = "LTO" if int(nvjitlink.version()[0]) >= 13 else None
    with pytest.raises(nvjitlink.nvJitLinkError, match=lto):
        Linker(*ltoirs, options=LinkerOptions(arch=ARCH)).link("cubin")


def test_link_target_checks(ltoirs):
    linker = Linker(*ltoirs, options=LinkerOptions(arch=ARCH, link_time_optimization=True))
    with pytest.raises(ValueError, match="target_type"):
        linker.link("ltoir")
    with pytest.raises(ValueError, match="ptx"):
        linker.link("ptx")  # ptx=True was not asked for
    linker.close()
    with pytest.raises(RuntimeError, match="closed"):
        linker.link("cubin")


def test_constructor_checks(ltoirs):
    with pytest.raises(ValueError):
        Linker(options=LinkerOptions(arch=ARCH))
    with pytest.raises(TypeError):
        Linker(b"not an object code", options=LinkerOptions(arch=ARCH))
    with pytest.raises(TypeError):
        Linker(*ltoirs, options=[("arch", ARCH)])  # a dict is taken, a list is not


# --- LinkerOptions -----------------------------------------------------------------------------

VALID = {
    "name": ("n", []),
    "arch": ("sm_80", ["-arch=sm_80"]),
    "max_register_count": (32, ["-maxrregcount=32"]),
    "time": (True, ["-time"]),
    "verbose": (True, ["-verbose"]),
    "link_time_optimization": (True, ["-lto"]),
    "ptx": (None, []),  # needs link_time_optimization: see test_ptx_needs_lto
    "optimization_level": (3, ["-O3"]),
    "debug": (True, ["-g"]),
    "lineinfo": (True, ["-lineinfo"]),
    "ftz": (True, ["-ftz=1"]),
    "prec_div": (False, ["-prec-div=0"]),
    "prec_sqrt": (False, ["-prec-sqrt=0"]),
    "fma": (False, ["-fma=0"]),
    "kernels_used": (["a", "b"], ["-kernels-used=a", "-kernels-used=b"]),
    "variables_used": ("v", ["-variables-used=v"]),
    "optimize_unused_variables": (True, ["-optimize-unused-variables"]),
    "ptxas_options": (("-v",), ["-Xptxas=-v"]),
    "split_compile": (0, ["-split-compile=0"]),
    "split_compile_extended": (4, ["-split-compile-extended=4"]),
    "no_cache": (True, ["-no-cache"]),
    "numba_debug": (True, ["-numba-debug"]),
}


def test_every_reference_field_is_covered():
    import json
    import pathlib

    names = json.loads((pathlib.Path(__file__).resolve().parents[2] / "ci/reference/api-names.json").read_text())
    reference = {n.split(".", 1)[1] for n in names["cuda.core"] if n.startswith("LinkerOptions.")} - {"as_bytes"}
    fields = {f.name for f in dataclasses.fields(LinkerOptions)}
    assert fields == reference == set(VALID)


@pytest.mark.parametrize("field", sorted(VALID))
def test_option_maps_to_nvjitlink(field):
    value, expected = VALID[field]
    kw = {field: value}
    if field != "arch":
        kw["arch"] = ARCH
    got = [s.decode() for s in LinkerOptions(**kw).as_bytes()]
    if field == "arch":
        assert got == expected
    else:
        assert got == ["-arch=sm_90", *expected]


@pytest.mark.parametrize("field", sorted(VALID))
def test_option_wrong_type_names_it(field):
    bad = (
        90
        if field in ("arch", "name")
        else (1.5 if field not in ("kernels_used", "variables_used", "ptxas_options") else 7)
    )
    kw = {field: bad}
    if field != "arch":
        kw["arch"] = ARCH
    with pytest.raises(TypeError, match=rf"LinkerOptions\.{field}\b"):
        LinkerOptions(**kw)


@pytest.mark.parametrize(
    "field, bad",
    [("arch", "hopper"), ("optimization_level", 4), ("max_register_count", 0), ("split_compile", -1)],
)
def test_option_bad_value_names_it(field, bad):
    kw = {field: bad}
    if field != "arch":
        kw["arch"] = ARCH
    with pytest.raises(ValueError, match=rf"LinkerOptions\.{field}\b"):
        LinkerOptions(**kw)


def test_ptx_needs_lto():
    with pytest.raises(ValueError, match="link_time_optimization"):
        LinkerOptions(arch=ARCH, ptx=True)
    assert LinkerOptions(arch=ARCH, ptx=True, link_time_optimization=True).as_bytes() == [
        b"-arch=sm_90",
        b"-lto",
        b"-ptx",
    ]


def test_as_bytes_backend_check():
    with pytest.raises(ValueError, match="nvjitlink"):
        LinkerOptions(arch=ARCH).as_bytes("driver")
    assert LinkerOptions(arch=ARCH).as_bytes("nvJitLink") == [b"-arch=sm_90"]


def test_defaults():
    o = LinkerOptions(arch=ARCH)
    assert o.name == "<default linker>"
    assert LinkerOptions(arch=ARCH, name=None).name == "<default linker>"


# --- the driver fallback -----------------------------------------------------------------------


@pytest.fixture
def driver_backend(monkeypatch):
    import cuda.core._linker as L

    monkeypatch.setattr(L, "linker_backend", lambda: "driver")
    return L


@pytest.fixture
def fresh_backend_choice():
    """The once-per-process linker backend decided again in the test, and again after it."""
    from cuda.core._toolchain import linker_backend

    linker_backend.cache_clear()
    yield
    linker_backend.cache_clear()


def test_driver_options_mapping(driver_backend):
    from cuda.bindings import driver

    J = driver.CUjit_option
    o = LinkerOptions(
        arch="sm_90a", max_register_count=40, optimization_level=2, debug=True, lineinfo=True, verbose=True
    )
    assert o._driver_options() == [
        (int(J.CU_JIT_TARGET), int(driver.CUjit_target.CU_TARGET_COMPUTE_90A)),
        (int(J.CU_JIT_MAX_REGISTERS), 40),
        (int(J.CU_JIT_OPTIMIZATION_LEVEL), 2),
        (int(J.CU_JIT_GENERATE_DEBUG_INFO), 1),
        (int(J.CU_JIT_GENERATE_LINE_INFO), 1),
        (int(J.CU_JIT_LOG_VERBOSE), 1),
    ]


@pytest.mark.parametrize("arch, target", [("sm_90", "CU_TARGET_COMPUTE_90"), ("sm_100f", "CU_TARGET_COMPUTE_100F")])
def test_driver_target_values(driver_backend, arch, target):
    from cuda.bindings import driver

    pairs = dict(LinkerOptions(arch=arch)._driver_options())
    assert pairs[int(driver.CUjit_option.CU_JIT_TARGET)] == int(getattr(driver.CUjit_target, target))


def test_driver_rejects_what_it_lacks(driver_backend, ltoirs):
    with pytest.raises(CUDAError, match="link_time_optimization"):
        Linker(*ltoirs, options=LinkerOptions(arch=ARCH, link_time_optimization=True))
    with pytest.raises(CUDAError, match="LTO-IR"):
        Linker(*ltoirs, options=LinkerOptions(arch=ARCH))
    with pytest.raises(CUDAError, match="kernels_used"):
        LinkerOptions(arch=ARCH, kernels_used="k")._driver_options()


def test_driver_backend_takes_options_as_none_or_a_dict(driver_backend):
    """The driver backend checks the coerced options (it read the argument, failing on None)."""
    code = compile_rdc(CALLER, "ptx")
    assert Linker(code).backend == "driver"
    assert Linker(code, options={"arch": ARCH}).backend == "driver"
    with pytest.raises(CUDAError, match="kernels_used"):
        Linker(code, options={"arch": ARCH, "kernels_used": "k"})


def test_driver_backend_has_no_handle_and_links_or_names_the_driver(driver_backend):
    from conftest import gpu_unavailable_reason

    a = compile_rdc(CALLER, "ptx")
    b = compile_rdc(CALLEE, "ptx")
    linker = Linker(a, b, options=LinkerOptions(arch=ARCH))
    assert linker.backend == "driver"
    assert linker.handle is None
    if gpu_unavailable_reason() is None:
        from cuda.core import Device

        Device(0).set_current()  # cuLink* needs a current context
        cubin = linker.link("cubin")
        assert cubin.code[:4] == b"\x7fELF"
    else:
        with pytest.raises(Exception, match=r"libcuda|CUDA_ERROR"):
            linker.link("cubin")


def test_missing_nvjitlink_warns_and_falls_back(monkeypatch, fresh_backend_choice):
    from cuda.bindings import nvjitlink

    def broken():
        raise RuntimeError("libnvJitLink.so.13 not found")

    monkeypatch.setattr(nvjitlink, "version", broken)
    with pytest.warns(RuntimeWarning, match="nvJitLink could not be loaded"):
        assert Linker.which_backend() == "driver"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Linker.which_backend() == "driver"  # decided once, warned once


def test_old_nvjitlink_falls_back(monkeypatch, fresh_backend_choice):
    import cuda.core._linker as L
    from cuda.bindings import nvjitlink

    monkeypatch.setattr(nvjitlink, "version", lambda: (12, 2))
    with pytest.warns(RuntimeWarning, match="12.2 is older than 12.3"):
        assert L.linker_backend() == "driver"


@pytest.mark.parametrize(
    "extra",
    [
        {"no_cache": True},
        {"split_compile_extended": 2, "link_time_optimization": True},
        {"kernels_used": "entry", "link_time_optimization": True},
        {"optimize_unused_variables": True},
        {"time": True},
        {"ptxas_options": ["-v"], "max_register_count": 32},
        {"optimization_level": 0, "debug": True, "lineinfo": True},
        {"ftz": True, "prec_div": False, "prec_sqrt": False, "fma": True, "link_time_optimization": True},
    ],
)
def test_nvjitlink_accepts_the_options(ltoirs, extra):
    lto = extra.get("link_time_optimization")
    inputs = ltoirs if lto else (compile_rdc(CALLER, "ptx"), compile_rdc(CALLEE, "ptx"))
    cubin = Linker(*inputs, options=LinkerOptions(arch=ARCH, **extra)).link("cubin")
    assert cubin.code[:4] == b"\x7fELF"


def test_a_bad_arch_is_also_the_nvjitlink_error_nvidia_raises():
    from cuda.bindings import nvjitlink

    with pytest.raises(nvjitlink.nvJitLinkError, match="must look like 'sm_90'") as info:
        LinkerOptions(arch="99")
    assert isinstance(info.value, ValueError) and info.value.status == nvjitlink.Result.ERROR_UNRECOGNIZED_OPTION


def test_driver_backend_without_a_context_says_what_to_do(driver_backend, monkeypatch):
    import cuda.core._module as M
    from cuda.core import CUDAError

    def no_context(inputs, options, logs):
        logs[:] = ["", ""]
        raise CUDAError("CUDA_ERROR_INVALID_CONTEXT: invalid device context", 201, "CUDA_ERROR_INVALID_CONTEXT")

    monkeypatch.setattr(M, "_driver_link", no_context)
    linker = Linker(compile_rdc(CALLER, "ptx"), compile_rdc(CALLEE, "ptx"), options=LinkerOptions(arch=ARCH))
    with pytest.raises(CUDAError, match=r"set_current") as info:
        linker.link("cubin")
    assert info.value.name == "CUDA_ERROR_INVALID_CONTEXT" and info.value.code == 201
