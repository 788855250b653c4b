# SPDX-License-Identifier: Apache-2.0
"""The exception of an exceptions-style module (nvJitLinkError, nvvmError, NvmlError...) and the
_check that raises it; with error_classes (nvml), one subclass per result code."""

from __future__ import annotations

from plan_py import Lib, member_strip, pyenum


def error_class(lib: Lib, result_py: str) -> list[str]:
    err = lib.cfg["error"]
    lines = [
        "",
        f"class {err}(_LibraryError):",
        f'    """A {lib.name} call failed: .status is the {result_py} code, .error_log the log when there is one."""',
        "",
        f"    _results = {result_py}",
        *(
            ["    _describe = staticmethod(lambda status: get_error_string(status))"]
            if lib.cfg.get("has_error_string")
            else []
        ),
        "",
        "",
        "cdef int _check(int status, intptr_t handle) except -1:",
        "    log = None",
    ]
    if lib.cfg.get("error_log"):
        log_fn = lib.cfg["error_log"]
        size_fn = next(v["buffer"] for v in lib.cfg["params"][log_fn].values() if isinstance(v, dict) and "buffer" in v)
        h = next(t["name"] for t in lib.model["typedefs"] if t["kind"] == "handle")
        m = lib.cymod
        lines += [
            "    cdef size_t size = 0",
            f"    if handle and {m}.{size_fn}(<{m}.{h}>handle, &size) == {m}.{lib.cfg['success']} and size > 1:",
            "        text = bytearray(size)",
            f"        if {m}.{log_fn}(<{m}.{h}>handle, <char*>text) == {m}.{lib.cfg['success']}:",
            "            log = bytes(text).rstrip(b'\\0').decode(errors='replace')",
        ]
    if lib.cfg.get("error_classes"):  # one subclass per code, as NVIDIA's nvml has (NotSupportedError)
        at = next(i for i, line in enumerate(lines) if line.startswith("cdef int _check"))
        lines[at:at] = error_subclasses(lib, err, result_py)
        lines += [f"    raise _error_classes.get(status, {err})(_result(status), log)", ""]
    else:
        lines += [f"    raise {err}(_result(status), log)", ""]
    return lines


# Python's own exception names, which a code's class would shadow inside the module
_SHADOWED = {"MemoryError": "NvmlMemoryError", "TimeoutError": "NvmlTimeoutError"}


def error_names(lib: Lib, result_py: str) -> list[tuple[str, str]]:
    """(class, C code) per error code: NVML_ERROR_NOT_SUPPORTED -> NotSupportedError."""
    enum = next(e for e in lib.model["enums"] if pyenum(lib, e["name"], "exceptions") == result_py)
    strip = member_strip(lib, enum, "exceptions") + "ERROR_"
    names = []
    for m in enum["members"]:
        if m["name"] == lib.cfg["success"]:
            continue
        words = m["name"][len(strip) :] if m["name"].startswith(strip) else m["name"]
        name = "".join(w.capitalize() for w in words.split("_")) + "Error"
        names.append((_SHADOWED.get(name, name), m["name"]))
    return names


def error_subclasses(lib: Lib, err: str, result_py: str) -> list[str]:
    out, table = [], []
    for name, code in error_names(lib, result_py):
        out += ["", f"class {name}({err}):", f'    """{code}."""', ""]
        table.append(f"    {lib.cymod}.{code}: {name},")
    return [*out, "", "cdef dict _error_classes = {", *table, "}", ""]
