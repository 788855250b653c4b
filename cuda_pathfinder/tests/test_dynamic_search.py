# SPDX-License-Identifier: Apache-2.0
"""load_nvidia_dynamic_lib's search order, on trees of real shared libraries built here."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from conftest import build_so, unique
from cuda.pathfinder import (
    DynamicLibNotAvailableError,
    DynamicLibNotFoundError,
    DynamicLibUnknownError,
    LoadedDL,
    _dlopen,
    _dynamic,
    load_nvidia_dynamic_lib,
)
from cuda.pathfinder._catalog import CTK, DRIVER, LibSpec


def ctk_spec(name: str, **kw) -> LibSpec:
    """A toolkit-like library lib<name>.so.13 / .so.12 in the cu13 and cu12 wheel layouts."""
    kw.setdefault("site_dirs", ("nvidia/cu13/lib", f"nvidia/{name}/lib"))
    return LibSpec(name, CTK, (f"lib{name}.so.13", f"lib{name}.so.12"), **kw)


def call(loaded: LoadedDL, symbol="pathfinder_test_value") -> int:
    lib = ctypes.CDLL(loaded.abs_path, mode=os.RTLD_NOLOAD)
    return getattr(lib, symbol)()


def test_site_packages_before_conda_before_cuda_home(clean_search, fake_lib, tmp_path, monkeypatch):
    spec = fake_lib(ctk_spec(unique("pfa")))
    site = tmp_path / "site"
    clean_search.append(str(site))
    wheel = build_so(site / "nvidia/cu13/lib", spec.sonames[0], value=1)
    conda = build_so(tmp_path / "conda/lib", spec.sonames[0], value=2)
    home = build_so(tmp_path / "cuda/lib64", spec.sonames[0], value=3)
    monkeypatch.setenv("CONDA_PREFIX", str(tmp_path / "conda"))
    monkeypatch.setenv("CUDA_HOME", str(tmp_path / "cuda"))

    loaded = load_nvidia_dynamic_lib(spec.name)
    assert (loaded.abs_path, loaded.found_via, loaded.was_already_loaded_from_elsewhere) == (
        wheel,
        "site-packages",
        False,
    )
    assert loaded._handle_uint != 0 and call(loaded) == 1
    assert load_nvidia_dynamic_lib(spec.name) is loaded  # cached

    # The same search without the wheel (a fresh name, since the first is now loaded).
    spec2 = fake_lib(ctk_spec(unique("pfb")))
    os.rename(conda, os.path.join(os.path.dirname(conda), spec2.sonames[0]))
    os.rename(home, os.path.join(os.path.dirname(home), spec2.sonames[0]))
    loaded2 = load_nvidia_dynamic_lib(spec2.name)
    assert loaded2.found_via == "conda" and call(loaded2) == 2

    spec3 = fake_lib(ctk_spec(unique("pfc")))
    os.rename(
        os.path.join(os.path.dirname(home), spec2.sonames[0]), os.path.join(os.path.dirname(home), spec3.sonames[0])
    )
    loaded3 = load_nvidia_dynamic_lib(spec3.name)
    assert loaded3.found_via == "CUDA_PATH"  # the name of the step, whichever variable was set
    assert loaded3.abs_path == os.path.join(tmp_path, "cuda/lib64", spec3.sonames[0]) and call(loaded3) == 3


def test_already_loaded_wins(clean_search, fake_lib, tmp_path):
    spec = fake_lib(ctk_spec(unique("pfd")))
    elsewhere = build_so(tmp_path / "elsewhere", spec.sonames[1], value=7)
    clean_search.append(str(tmp_path / "site"))
    build_so(tmp_path / "site/nvidia/cu13/lib", spec.sonames[0], value=8)
    ctypes.CDLL(elsewhere, mode=os.RTLD_GLOBAL)

    loaded = load_nvidia_dynamic_lib(spec.name)
    assert loaded.found_via == "was-already-loaded-from-elsewhere"
    assert loaded.was_already_loaded_from_elsewhere is True
    assert loaded.abs_path == elsewhere and call(loaded) == 7


def test_cu13_layout_preferred_over_cu12_in_an_earlier_root(clean_search, fake_lib, tmp_path):
    spec = fake_lib(ctk_spec(unique("pfe")))
    clean_search += [str(tmp_path / "first"), str(tmp_path / "second")]
    build_so(tmp_path / f"first/nvidia/{spec.name}/lib", spec.sonames[1], value=12)
    cu13 = build_so(tmp_path / "second/nvidia/cu13/lib", spec.sonames[0], value=13)
    loaded = load_nvidia_dynamic_lib(spec.name)
    assert loaded.abs_path == cu13 and call(loaded) == 13


def test_a_build_of_one_toolkit_major_loads_only_that_major(clean_search, fake_lib, tmp_path):
    # cuda.bindings of the 12.x line beside cu13 wheels: libX.so.13 comes first in the search, but
    # its ABI is another line's; the loader for a major takes that major's library, or none
    spec = fake_lib(ctk_spec(unique("pfm")))
    clean_search.append(str(tmp_path / "site"))
    build_so(tmp_path / "site/nvidia/cu13/lib", spec.sonames[0], value=13)
    cu12 = build_so(tmp_path / f"site/nvidia/{spec.name}/lib", spec.sonames[1], value=12)
    twelve = _dynamic._load_nvidia_dynamic_lib_for_major(spec.name, 12)
    assert twelve.abs_path == cu12 and call(twelve) == 12
    assert call(_dynamic._load_nvidia_dynamic_lib_for_major(spec.name, 13)) == 13
    alone = fake_lib(ctk_spec(unique("pfn")))
    build_so(tmp_path / "site/nvidia/cu13/lib", alone.sonames[0], value=13)
    with pytest.raises(DynamicLibNotFoundError, match=rf"lib{alone.name}\.so\.12"):
        _dynamic._load_nvidia_dynamic_lib_for_major(alone.name, 12)


def test_a_major_without_its_own_soname_goes_by_wheel_layout(clean_search, fake_lib, tmp_path):
    # libnvvm.so.4 is every line's soname: the cu13 layout is the 13.x wheel's, the other the 12.x's
    name = unique("pfo")
    spec = fake_lib(LibSpec(name, CTK, (f"lib{name}.so.4",), ("nvidia/cu13/lib", f"nvidia/{name}/lib")))
    clean_search.append(str(tmp_path / "site"))
    build_so(tmp_path / "site/nvidia/cu13/lib", spec.sonames[0], value=13)
    build_so(tmp_path / f"site/nvidia/{name}/lib", spec.sonames[0], value=12)
    assert call(_dynamic._load_nvidia_dynamic_lib_for_major(name, 12)) == 12


def test_cu12_layout_alone(clean_search, fake_lib, tmp_path):
    spec = fake_lib(ctk_spec(unique("pff")))
    clean_search.append(str(tmp_path / "site"))
    cu12 = build_so(tmp_path / f"site/nvidia/{spec.name}/lib", spec.sonames[1], value=12)
    loaded = load_nvidia_dynamic_lib(spec.name)
    assert (loaded.abs_path, loaded.found_via) == (cu12, "site-packages") and call(loaded) == 12


def test_earlier_import_root_wins_within_a_layout(clean_search, fake_lib, tmp_path):
    spec = fake_lib(ctk_spec(unique("pfg")))
    clean_search += [str(tmp_path / "user"), str(tmp_path / "venv")]
    user = build_so(tmp_path / "user/nvidia/cu13/lib", spec.sonames[0], value=1)
    build_so(tmp_path / "venv/nvidia/cu13/lib", spec.sonames[0], value=2)
    assert load_nvidia_dynamic_lib(spec.name).abs_path == user


def test_dependencies_are_loaded_first(clean_search, fake_lib, tmp_path):
    base = fake_lib(ctk_spec(unique("pfbase")))
    top = fake_lib(ctk_spec(unique("pftop"), dependencies=(base.name,)))
    clean_search.append(str(tmp_path / "site"))
    # cu12 layout: each library in its own wheel folder, no rpath between them.
    base_path = build_so(tmp_path / f"site/nvidia/{base.name}/lib", base.sonames[1], symbol="base_value", value=5)
    build_so(tmp_path / f"site/nvidia/{top.name}/lib", top.sonames[1], needs=[base_path], value=6)

    assert _dlopen.dlopen_if_loaded(base.sonames[1]) is None
    loaded = load_nvidia_dynamic_lib(top.name)
    assert call(loaded) == 6
    assert _dlopen.dlopen_if_loaded(base.sonames[1])  # loaded on the way
    assert load_nvidia_dynamic_lib(base.name).abs_path == base_path


def test_missing_dependency_names_it(clean_search, fake_lib, tmp_path):
    base = fake_lib(ctk_spec(unique("pfmissing")))
    top = fake_lib(ctk_spec(unique("pfneedy"), dependencies=(base.name,)))
    clean_search.append(str(tmp_path / "site"))
    build_so(tmp_path / "site/nvidia/cu13/lib", top.sonames[0])
    with pytest.raises(DynamicLibNotFoundError) as info:
        load_nvidia_dynamic_lib(top.name)
    text = str(info.value)
    assert f"{top.name} needs {base.name}" in text and base.sonames[0] in text


def test_optional_dependency_may_be_missing(clean_search, fake_lib, tmp_path):
    opt = fake_lib(ctk_spec(unique("pfopt")))
    top = fake_lib(ctk_spec(unique("pfwithopt"), optional_dependencies=(opt.name,)))
    clean_search.append(str(tmp_path / "site"))
    build_so(tmp_path / "site/nvidia/cu13/lib", top.sonames[0], value=9)
    assert call(load_nvidia_dynamic_lib(top.name)) == 9


def test_broken_file_gives_a_clear_error(clean_search, fake_lib, tmp_path):
    spec = fake_lib(ctk_spec(unique("pfbroken")))
    clean_search.append(str(tmp_path / "site"))
    bad = tmp_path / "site/nvidia/cu13/lib" / spec.sonames[0]
    bad.parent.mkdir(parents=True)
    bad.write_text("this is not an ELF file\n")
    with pytest.raises(DynamicLibNotFoundError) as info:
        load_nvidia_dynamic_lib(spec.name)
    text = str(info.value)
    assert str(bad) in text and "site-packages" in text
    assert "ELF" in text or "too short" in text  # the loader's own reason


def test_not_found_lists_every_place_in_order(clean_search, fake_lib, tmp_path, monkeypatch):
    spec = fake_lib(ctk_spec(unique("pfnowhere"), wheels=("nvidia-pfnowhere", "nvidia-pfnowhere-cu12")))
    clean_search.append(str(tmp_path / "site"))
    (tmp_path / "site/nvidia/cu13/lib").mkdir(parents=True)
    (tmp_path / "conda/lib").mkdir(parents=True)
    monkeypatch.setenv("CONDA_PREFIX", str(tmp_path / "conda"))
    monkeypatch.setenv("CUDA_PATH", str(tmp_path / "cuda"))
    with pytest.raises(DynamicLibNotFoundError) as info:
        load_nvidia_dynamic_lib(spec.name)
    lines = str(info.value).splitlines()
    assert spec.sonames[0] in lines[0] and spec.sonames[1] in lines[0]
    order = [line.split(": ")[0].split(". ", 1)[1] for line in lines[1:] if line.startswith("  ")]
    assert order == [
        "site-packages",
        "site-packages",
        "conda",
        "conda",
        "system-search",
        "system-search",
        "CUDA_PATH",
        "CUDA_PATH",
    ]
    assert "folder exists" in lines[1] and "no such folder" in lines[2]
    assert (
        lines[-1] == "To get it: pip install nvidia-pfnowhere or nvidia-pfnowhere-cu12; "
        "or install the CUDA Toolkit and set CUDA_HOME to it."
    )


def test_unknown_name_and_wrong_type(clean_search):
    with pytest.raises(DynamicLibUnknownError, match=r"Unknown library name: 'nosuchlib'.*'nvrtc'"):
        load_nvidia_dynamic_lib("nosuchlib")
    assert issubclass(DynamicLibUnknownError, DynamicLibNotFoundError)
    for bad in (None, 3, b"nvrtc", ["nvrtc"]):
        with pytest.raises(TypeError, match=r"libname must be a str"):
            load_nvidia_dynamic_lib(bad)


def test_driver_library_comes_from_the_system_loader_only(clean_search, fake_lib, tmp_path):
    soname = f"lib{unique('pfdriver')}.so.1"
    spec = fake_lib(LibSpec(unique("pfdrv"), DRIVER, (soname,), anchor_dirs=()))
    clean_search.append(str(tmp_path / "site"))
    build_so(tmp_path / "site/nvidia/cu13/lib", soname)  # must be ignored
    with pytest.raises(DynamicLibNotFoundError, match=r"NVIDIA driver library.*system search"):
        load_nvidia_dynamic_lib(spec.name)


def test_one_search_under_many_threads(clean_search, fake_lib, tmp_path, monkeypatch):
    spec = fake_lib(ctk_spec(unique("pfthreads")))
    clean_search.append(str(tmp_path / "site"))
    build_so(tmp_path / "site/nvidia/cu13/lib", spec.sonames[0])
    searches = []
    real_load = _dynamic._load

    def counting_load(s):
        searches.append(s.name)
        return real_load(s)

    monkeypatch.setattr(_dynamic, "_load", counting_load)
    results, barrier = [], threading.Barrier(8)

    def worker():
        barrier.wait()
        results.append(load_nvidia_dynamic_lib(spec.name))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(r is results[0] for r in results)
    assert searches == [spec.name]
    info = load_nvidia_dynamic_lib.cache_info()
    assert info.misses == 1 and info.currsize == 1


def test_errors_are_not_cached(clean_search, fake_lib, tmp_path):
    spec = fake_lib(ctk_spec(unique("pflater")))
    clean_search.append(str(tmp_path / "site"))
    with pytest.raises(DynamicLibNotFoundError):
        load_nvidia_dynamic_lib(spec.name)
    build_so(tmp_path / "site/nvidia/cu13/lib", spec.sonames[0])  # "pip install" it
    assert load_nvidia_dynamic_lib(spec.name).found_via == "site-packages"


CHILD = textwrap.dedent(
    """
    import json, sys
    from cuda.pathfinder import _catalog, _places, load_nvidia_dynamic_lib
    from cuda.pathfinder._catalog import LibSpec
    _places.site_packages_roots = lambda: []
    name, sonames, anchor_dirs, probe = json.loads(sys.argv[1])
    spec = LibSpec(name, "ctk", tuple(sonames), anchor_dirs=tuple(anchor_dirs), ctk_root_probe=probe)
    _catalog.LIBRARIES[name] = spec
    loaded = load_nvidia_dynamic_lib(name)
    print(json.dumps([loaded.abs_path, loaded.found_via]))
    """
)


def run_child(args, env_extra) -> list:
    import json

    env = {k: v for k, v in os.environ.items() if k not in ("CUDA_PATH", "CUDA_HOME", "CONDA_PREFIX")}
    env.update(env_extra)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(args)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_system_search_through_ld_library_path(tmp_path):
    name = unique("pfsys")
    path = build_so(tmp_path / "ldpath", f"lib{name}.so.13")
    abs_path, via = run_child(
        [name, [f"lib{name}.so.13"], ["lib"], False], {"LD_LIBRARY_PATH": str(tmp_path / "ldpath")}
    )
    assert via == "system-search" and os.path.realpath(abs_path) == os.path.realpath(path)


def test_toolkit_root_probe_finds_nvvm_beside_the_system_cudart(tmp_path):
    """nvvm lives in <root>/nvvm/lib64, off the loader path; the root comes from libcudart."""
    root = tmp_path / "cuda-13.9"
    build_so(root / "targets/x86_64-linux/lib", "libcudart.so.13")
    name = unique("pfvvm")
    nvvm = build_so(root / "nvvm/lib64", f"lib{name}.so.4")
    env = {"LD_LIBRARY_PATH": str(root / "targets/x86_64-linux/lib")}
    abs_path, via = run_child([name, [f"lib{name}.so.4"], ["nvvm/lib64"], True], env)
    assert (abs_path, via) == (nvvm, "system-ctk-root")


def test_known_but_not_available_on_this_platform(clean_search, fake_lib):
    spec = fake_lib(ctk_spec(unique("pfwin"), platforms=("win32",)))
    with pytest.raises(DynamicLibNotAvailableError, match=rf"'{spec.name}' is known but not available on linux"):
        load_nvidia_dynamic_lib(spec.name)


def test_venv_user_site_and_base_site_in_import_order(tmp_path):
    """A venv with --system-site-packages and a user site: the folder `import` sees first wins."""
    import site
    import venv

    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(tmp_path / "venv")
    python = str(tmp_path / "venv/bin/python")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONUSERBASE": str(tmp_path / "userbase"),
        "PYTHONPATH": _dynamic.__file__.rsplit("/cuda/pathfinder/", 1)[0],
    }
    code = "import json, site, sys; print(json.dumps([site.getusersitepackages(), sys.path]))"
    user_site, _ = json.loads(subprocess.check_output([python, "-c", code], env=env, text=True))
    os.makedirs(user_site)  # site adds the user folder only once it exists
    _, child_path = json.loads(subprocess.check_output([python, "-c", code], env=env, text=True))
    venv_site = next(p for p in child_path if p.startswith(str(tmp_path / "venv")) and p.endswith("site-packages"))
    name = unique("pfsite")
    venv_lib = build_so(os.path.join(venv_site, "nvidia/cu13/lib"), f"lib{name}.so.13", value=1)
    user_lib = build_so(os.path.join(user_site, "nvidia/cu13/lib"), f"lib{name}.so.13", value=2)
    child = textwrap.dedent(
        f"""
        import json, sys
        from cuda.pathfinder import _catalog, _places, load_nvidia_dynamic_lib
        from cuda.pathfinder._catalog import LibSpec
        _catalog.LIBRARIES["{name}"] = LibSpec("{name}", "ctk", ("lib{name}.so.13",), ("nvidia/cu13/lib",))
        roots = _places.site_packages_roots()
        print(json.dumps([roots, load_nvidia_dynamic_lib("{name}").abs_path]))
        """
    )
    roots, loaded = json.loads(subprocess.check_output([python, "-c", child], env=env, text=True).splitlines()[-1])
    order = [r for r in roots if r in (user_site, venv_site) or r in site.getsitepackages()]
    expected_first = min((user_site, venv_site), key=child_path.index)  # what `import` would see first
    assert order[0] == expected_first and set(order[:2]) == {user_site, venv_site}
    assert order[2:] == [p for p in site.getsitepackages() if p in roots]  # the base interpreter's, last
    assert loaded == (user_lib if expected_first == user_site else venv_lib)


@pytest.mark.parametrize("where", ["script_folder", "current_folder"])
def test_library_beside_the_script_is_never_loaded(tmp_path, where):
    """A wheel-shaped library planted next to a script, or in the folder Python starts in, is ignored."""
    name = unique("pfplant")
    planted = tmp_path / "planted"
    build_so(planted / "nvidia/cu13/lib", f"lib{name}.so.13", value=666)
    script = planted / "victim.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import json
            from cuda.pathfinder import _catalog, _places, DynamicLibNotFoundError, load_nvidia_dynamic_lib
            from cuda.pathfinder._catalog import LibSpec
            _catalog.LIBRARIES["{name}"] = LibSpec("{name}", "ctk", ("lib{name}.so.13",), ("nvidia/cu13/lib",))
            try:
                found = load_nvidia_dynamic_lib("{name}").abs_path
            except DynamicLibNotFoundError:
                found = None
            print(json.dumps([_places.site_packages_roots(), found]))
            """
        )
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": _dynamic.__file__.rsplit("/cuda/pathfinder/", 1)[0],
        "LD_LIBRARY_PATH": "",
    }
    # python victim.py puts the script's folder first on sys.path; python -c puts '' (the cwd) there
    argv = [sys.executable, str(script)] if where == "script_folder" else [sys.executable, "-c", script.read_text()]
    out = subprocess.check_output(argv, env=env, cwd=planted, text=True)
    roots, found = json.loads(out.splitlines()[-1])
    assert str(planted) not in roots
    assert found is None
