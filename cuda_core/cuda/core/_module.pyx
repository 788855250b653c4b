# SPDX-License-Identifier: Apache-2.0
"""ObjectCode (compiled code, loaded on first use) and Kernel (one entry point of it).

Wrapping rules for this module:

* Driver calls go through ``cuda.bindings.cydriver`` at C level and are checked with
  ``_errors.check`` (CUDAError naming the result code). Loads run without the GIL.
* ``ObjectCode`` keeps the code as given (bytes in memory, or a file path) and loads a
  context-independent ``CUlibrary`` the first time a kernel, module or handle is asked for;
  making one needs no GPU. The library is unloaded when the ObjectCode goes away.
* A ``Kernel`` holds its ``ObjectCode``, so the library outlives every kernel taken from it.
* Handles are returned as the Python handle types of ``cuda.bindings.driver`` (``int()``
  gives the address); that module is imported on first use only.
"""

from libc.stdint cimport intptr_t, uintptr_t

from cuda.bindings cimport cydriver
from cuda.core._errors cimport check

import os
import weakref
from collections import namedtuple

# CUkernel address -> the ObjectCode whose get_kernel gave it, so that Kernel.from_handle of that
# address keeps the library loaded. Our own record, not cuKernelGetLibrary: the driver may
# dereference whatever address it is given, and from_handle takes any int.
_kernel_owners = weakref.WeakValueDictionary()

__all__ = ["Kernel", "ObjectCode"]

ParamInfo = namedtuple("ParamInfo", ["offset", "size"])
MaxPotentialBlockSizeOccupancyResult = namedtuple(
    "MaxPotentialBlockSizeOccupancyResult", ("min_grid_size", "max_block_size")
)

_CODE_TYPES = ("cubin", "ptx", "ltoir", "fatbin", "object", "library")
_LOADABLE = ("cubin", "ptx", "fatbin")

cdef object _driver_module = None
cdef bint _driver_initialized = False


cdef object _driver():
    global _driver_module
    if _driver_module is None:
        from cuda.bindings import driver

        _driver_module = driver
    return _driver_module


cdef int _ensure_init() except -1:
    global _driver_initialized
    if not _driver_initialized:
        with nogil:
            check(cydriver.cuInit(0))
        _driver_initialized = True
    return 0


cdef object _module_arg(module, str what, bint pathlike_ok):
    """bytes for code in memory, str for a file path."""
    if isinstance(module, bytes):
        return module
    if isinstance(module, (bytearray, memoryview)):
        return bytes(module)
    if isinstance(module, str):
        return module
    if pathlike_ok and isinstance(module, os.PathLike):
        return os.fsdecode(os.fspath(module))
    raise TypeError(
        f"ObjectCode.from_{what} takes bytes (the code) or a file path, got {type(module).__name__}"
    )


cdef ObjectCode _new_object_code(module, str code_type, name, symbol_mapping):
    if code_type not in _CODE_TYPES:
        raise ValueError(f"code_type must be one of {_CODE_TYPES}, got {code_type!r}")
    if name is None:
        name = ""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if symbol_mapping is None:
        symbol_mapping = {}
    elif not isinstance(symbol_mapping, dict):
        raise TypeError(f"symbol_mapping must be a dict or None, got {type(symbol_mapping).__name__}")
    cdef ObjectCode self = ObjectCode.__new__(ObjectCode)
    self._module = module
    self._code_type = code_type
    self._name = name
    self._sym_map = dict(symbol_mapping)
    self._lib = NULL
    return self


def _constructor(code_type, doc):
    """The static method ObjectCode.from_<code_type>(module, *, name="", symbol_mapping=None)."""

    def construct(module, *, name="", symbol_mapping=None):
        return _new_object_code(_module_arg(module, code_type, True), code_type, name, symbol_mapping)

    construct.__name__ = f"from_{code_type}"
    construct.__qualname__ = f"ObjectCode.from_{code_type}"
    construct.__doc__ = f"ObjectCode.from_{code_type}(module, *, name='', symbol_mapping=None)\n\n{doc}"
    return staticmethod(construct)


def _object_code_from_state(module, code_type, name, symbol_mapping):
    """Unpickle an ObjectCode (the library is loaded again on first use)."""
    return _new_object_code(module, code_type, name, symbol_mapping)


cdef class ObjectCode:
    """Compiled device code (cubin, PTX, LTO-IR, fatbin, object or library).

    Made by :meth:`Program.compile`, :meth:`Linker.link` or the ``from_*`` constructors,
    which take the code as bytes or a path to a file holding it. Nothing is loaded until
    :meth:`get_kernel`, :meth:`get_module` or :attr:`handle` is used; loading needs the CUDA
    driver (and a current context to launch). LTO-IR, object and library code cannot be
    loaded: link them into a cubin with :class:`Linker` first.
    """

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "ObjectCode objects cannot be instantiated directly. Use ObjectCode.from_cubin(), from_ptx(), "
            "from_ltoir(), from_fatbin(), from_object() or from_library()."
        )

    @classmethod
    def _init(cls, module, code_type, *, name="", symbol_mapping=None):
        return _new_object_code(_module_arg(module, code_type, True), code_type, name, symbol_mapping)

    from_cubin = _constructor("cubin", "ObjectCode of a cubin: bytes, or the path of a .cubin file.")
    from_ptx = _constructor("ptx", "ObjectCode of PTX: bytes, or the path of a .ptx file.")
    from_ltoir = _constructor("ltoir", "ObjectCode of LTO-IR (for :class:`Linker`): bytes, or a file path.")
    from_fatbin = _constructor("fatbin", "ObjectCode of a fatbin: bytes, or the path of a .fatbin file.")
    from_object = _constructor("object", "ObjectCode of a host object file with device code (for :class:`Linker`).")
    from_library = _constructor("library", "ObjectCode of a static library with device code (for :class:`Linker`).")

    def __reduce__(self):
        return _object_code_from_state, (self._module, self._code_type, self._name, self._sym_map)

    cdef int _load(self) except -1:
        if self._lib != NULL:
            return 0
        if self._code_type not in _LOADABLE:
            raise ValueError(
                f"{self._code_type} code cannot be loaded by the driver: link it into a cubin "
                "with cuda.core.Linker first"
            )
        _ensure_init()
        cdef cydriver.CUlibrary lib = NULL
        cdef const char* data
        cdef bytes path
        if isinstance(self._module, bytes):
            data = <bytes>self._module
            with nogil:
                check(cydriver.cuLibraryLoadData(&lib, data, NULL, NULL, 0, NULL, NULL, 0))
        else:
            if not os.path.isfile(self._module):
                raise FileNotFoundError(f"no {self._code_type} file at {self._module!r}")
            path = os.fsencode(self._module)
            data = path
            with nogil:
                check(cydriver.cuLibraryLoadFromFile(&lib, data, NULL, NULL, 0, NULL, NULL, 0))
        if self._lib != NULL:  # another thread loaded it meanwhile
            with nogil:
                cydriver.cuLibraryUnload(lib)
        else:
            self._lib = lib
        return 0

    def __dealloc__(self):
        cdef cydriver.CUlibrary lib = self._lib
        self._lib = NULL
        if lib != NULL and not self._lib_given:
            try:
                with nogil:
                    cydriver.cuLibraryUnload(lib)
            except Exception:
                pass

    def get_kernel(self, name):
        """The :class:`Kernel` called ``name``: a name expression given to :meth:`Program.compile`
        (looked up in :attr:`symbol_mapping`) or the (mangled) symbol itself."""
        if not isinstance(name, (str, bytes)):
            raise TypeError(f"kernel name must be a str or bytes, got {type(name).__name__}")
        symbol = self._sym_map.get(name, name)
        if isinstance(symbol, str):
            symbol = symbol.encode()
        self._load()
        cdef cydriver.CUkernel kernel = NULL
        cdef const char* cname = <bytes>symbol
        with nogil:
            check(cydriver.cuLibraryGetKernel(&kernel, self._lib, cname))
        _kernel_owners[<intptr_t>kernel] = self
        return _new_kernel(kernel, self)

    def get_module(self):
        """The ``CUmodule`` of this code in the current context (loads it if needed)."""
        self._load()
        cdef cydriver.CUmodule mod = NULL
        with nogil:
            check(cydriver.cuLibraryGetModule(&mod, self._lib))
        return _driver().CUmodule(<intptr_t>mod)

    @property
    def code(self):
        """The code as given: bytes, or the file path (str)."""
        return self._module

    @property
    def name(self) -> str:
        return self._name

    @property
    def code_type(self) -> str:
        return self._code_type

    @property
    def symbol_mapping(self) -> dict:
        """A copy of the name-expression -> mangled-name mapping."""
        return dict(self._sym_map)

    @property
    def handle(self):
        """The loaded ``CUlibrary`` (loads the code on first use).

        Once read, the library is the reader's to unload (numba-cuda unloads the libraries it
        takes from here): this object no longer unloads it when collected, as NVIDIA's never do.
        """
        self._load()
        self._lib_given = True
        return _driver().CUlibrary(<intptr_t>self._lib)

    def __eq__(self, other):
        if not isinstance(other, ObjectCode):
            return NotImplemented
        cdef ObjectCode o = <ObjectCode>other
        return self is o or (self._code_type == o._code_type and self._module == o._module)

    def __hash__(self):
        return hash((self._code_type, self._module))

    def __repr__(self):  # the library handle once loaded (repr does not load it)
        return f"<ObjectCode handle={<uintptr_t>self._lib:#x} code_type={self._code_type!r}>"


cdef Kernel _new_kernel(cydriver.CUkernel handle, object library):
    cdef Kernel k = Kernel.__new__(Kernel)
    k._handle = handle
    k._library = library
    return k


cdef int _device_ordinal(device) except? -2:
    """-1 for 'the current device', else the ordinal of an int or a Device."""
    if device is None:
        return -1
    if isinstance(device, bool):
        raise TypeError("device must be a Device or an int ordinal, not a bool")
    if isinstance(device, int):
        if device < 0:
            raise ValueError(f"device ordinal must be >= 0, got {device}")
        return device
    ordinal = getattr(device, "device_id", None)
    if isinstance(ordinal, int) and not isinstance(ordinal, bool):
        return ordinal
    raise TypeError(f"device must be a Device or an int ordinal, got {type(device).__name__}")


cdef cydriver.CUdevice _device_handle(int ordinal) except? -1:
    """The CUdevice of an ordinal; -1 means the current context's device (device 0 without one)."""
    cdef cydriver.CUdevice dev = 0
    cdef cydriver.CUresult err
    _ensure_init()
    if ordinal < 0:
        with nogil:
            err = cydriver.cuCtxGetDevice(&dev)
        if err == cydriver.CUDA_SUCCESS:
            return dev
        if err != cydriver.CUDA_ERROR_INVALID_CONTEXT:
            check(err)
        ordinal = 0
    with nogil:
        check(cydriver.cuDeviceGet(&dev, ordinal))
    return dev


# name -> (CUfunction_attribute, the value's type, cached: it cannot change after loading)
_KERNEL_ATTRS = {
    "max_threads_per_block": (cydriver.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, int, True),
    "shared_size_bytes": (cydriver.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, int, True),
    "const_size_bytes": (cydriver.CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES, int, True),
    "local_size_bytes": (cydriver.CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, int, True),
    "num_regs": (cydriver.CU_FUNC_ATTRIBUTE_NUM_REGS, int, True),
    "ptx_version": (cydriver.CU_FUNC_ATTRIBUTE_PTX_VERSION, int, True),
    "binary_version": (cydriver.CU_FUNC_ATTRIBUTE_BINARY_VERSION, int, True),
    "cache_mode_ca": (cydriver.CU_FUNC_ATTRIBUTE_CACHE_MODE_CA, bool, True),
    "max_dynamic_shared_size_bytes": (cydriver.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, int, False),
    "preferred_shared_memory_carveout": (cydriver.CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT, int, False),
    "cluster_size_must_be_set": (cydriver.CU_FUNC_ATTRIBUTE_CLUSTER_SIZE_MUST_BE_SET, bool, True),
    "required_cluster_width": (cydriver.CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH, int, False),
    "required_cluster_height": (cydriver.CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_HEIGHT, int, False),
    "required_cluster_depth": (cydriver.CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_DEPTH, int, False),
    "non_portable_cluster_size_allowed": (cydriver.CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, bool, False),
    "cluster_scheduling_policy_preference": (cydriver.CU_FUNC_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE, int, False),
}
cdef tuple _IMMUTABLE = tuple(attr for attr, _, cached in _KERNEL_ATTRS.values() if cached)


def _kernel_attribute(name):
    """The read-only property KernelAttributes.<name>, from its row of _KERNEL_ATTRS."""
    attr, kind, _ = _KERNEL_ATTRS[name]

    def get(KernelAttributes self):
        value = self._get(<cydriver.CUfunction_attribute>attr)
        return bool(value) if kind is bool else value

    return property(get, doc=f"KernelAttributes.{name}: {kind.__name__}")


cdef class KernelAttributes:
    """Read-only attributes of a kernel on one device (cuKernelGetAttribute).

    ``kernel.attributes`` reads them for the current context's device (device 0 when no
    context is current); ``kernel.attributes[dev]`` (a Device or an ordinal) for another.
    Values that cannot change are cached.
    """

    cdef Kernel _kernel
    cdef int _ordinal  # -1: the current device, looked up at each access
    cdef dict _cache   # (device, attribute) -> value, shared by every view of a kernel

    def __init__(self, *args, **kwargs):
        raise RuntimeError("KernelAttributes cannot be instantiated directly. Use Kernel.attributes.")

    def __getitem__(self, device):
        cdef int ordinal = _device_ordinal(device)
        return _new_attributes(self._kernel, ordinal, self._cache)

    cdef int _get(self, cydriver.CUfunction_attribute attr) except? -1:
        cdef cydriver.CUdevice dev = _device_handle(self._ordinal)
        key = (dev, <int>attr)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        cdef int value = 0
        _ensure_init()
        with nogil:
            check(cydriver.cuKernelGetAttribute(&value, attr, self._kernel._handle, dev))
        if attr in _IMMUTABLE:
            self._cache[key] = value
        return value

    max_threads_per_block = _kernel_attribute("max_threads_per_block")
    shared_size_bytes = _kernel_attribute("shared_size_bytes")
    const_size_bytes = _kernel_attribute("const_size_bytes")
    local_size_bytes = _kernel_attribute("local_size_bytes")
    num_regs = _kernel_attribute("num_regs")
    ptx_version = _kernel_attribute("ptx_version")
    binary_version = _kernel_attribute("binary_version")
    cache_mode_ca = _kernel_attribute("cache_mode_ca")
    max_dynamic_shared_size_bytes = _kernel_attribute("max_dynamic_shared_size_bytes")
    preferred_shared_memory_carveout = _kernel_attribute("preferred_shared_memory_carveout")
    cluster_size_must_be_set = _kernel_attribute("cluster_size_must_be_set")
    required_cluster_width = _kernel_attribute("required_cluster_width")
    required_cluster_height = _kernel_attribute("required_cluster_height")
    required_cluster_depth = _kernel_attribute("required_cluster_depth")
    non_portable_cluster_size_allowed = _kernel_attribute("non_portable_cluster_size_allowed")
    cluster_scheduling_policy_preference = _kernel_attribute("cluster_scheduling_policy_preference")

    def __repr__(self):
        where = "current device" if self._ordinal < 0 else f"device {self._ordinal}"
        return f"<KernelAttributes of {self._kernel!r} on {where}>"


cdef KernelAttributes _new_attributes(Kernel kernel, int ordinal, dict cache):
    cdef KernelAttributes a = KernelAttributes.__new__(KernelAttributes)
    a._kernel = kernel
    a._ordinal = ordinal
    a._cache = cache
    return a


cdef tuple _dim3(value, str what):
    """An int or a tuple of 1 to 3 positive ints -> (x, y, z)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, tuple) or not 1 <= len(value) <= 3:
        raise TypeError(f"LaunchConfig.{what} must be an int or a tuple of 1 to 3 ints, got {value!r}")
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"LaunchConfig.{what} must hold positive ints, got {value!r}")
    return tuple(value) + (1,) * (3 - len(value))


cdef int _fill_config(config, stream, bint with_cluster,
                      cydriver.CUlaunchConfig* out, cydriver.CUlaunchAttribute* attr) except -1:
    """A CUlaunchConfig from a LaunchConfig (grid counts clusters when a cluster is set)."""
    if stream is None or not hasattr(stream, "__cuda_stream__"):
        raise TypeError("stream must be a Stream (an object with __cuda_stream__); pass device.default_stream")
    grid = _dim3(getattr(config, "grid"), "grid")
    block = _dim3(getattr(config, "block"), "block")
    cluster = getattr(config, "cluster", None)
    if cluster is not None:
        cluster = _dim3(cluster, "cluster")
        grid = (grid[0] * cluster[0], grid[1] * cluster[1], grid[2] * cluster[2])
    shmem = getattr(config, "shmem_size", 0) or 0
    out.gridDimX, out.gridDimY, out.gridDimZ = grid
    out.blockDimX, out.blockDimY, out.blockDimZ = block
    out.sharedMemBytes = shmem
    out.hStream = <cydriver.CUstream><intptr_t>int(stream.__cuda_stream__()[1])
    out.attrs = NULL
    out.numAttrs = 0
    if with_cluster and cluster is not None:
        attr.id = cydriver.CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION
        attr.value.clusterDim.x, attr.value.clusterDim.y, attr.value.clusterDim.z = cluster
        out.attrs = attr
        out.numAttrs = 1
    return 0


cdef class KernelOccupancy:
    """Occupancy queries for a kernel on the current device (the cuOccupancy* calls)."""

    cdef Kernel _kernel

    def __init__(self, *args, **kwargs):
        raise RuntimeError("KernelOccupancy cannot be instantiated directly. Use Kernel.occupancy.")

    cdef cydriver.CUfunction _function(self) except NULL:
        cdef cydriver.CUfunction f = NULL
        _ensure_init()
        with nogil:
            check(cydriver.cuKernelGetFunction(&f, self._kernel._handle))
        return f

    def max_active_blocks_per_multiprocessor(self, int block_size, size_t dynamic_shared_memory_size):
        """Most blocks of ``block_size`` threads that can be resident on one multiprocessor."""
        cdef cydriver.CUfunction f = self._function()
        cdef int n = 0
        with nogil:
            check(cydriver.cuOccupancyMaxActiveBlocksPerMultiprocessor(&n, f, block_size, dynamic_shared_memory_size))
        return n

    def max_potential_block_size(self, dynamic_shared_memory_needed, int block_size_limit):
        """(min_grid_size, max_block_size) reaching the best occupancy.

        ``dynamic_shared_memory_needed`` is a byte count, or a ``driver.CUoccupancyB2DSize``
        (a C function of the block size; it must not need the GIL).
        """
        cdef cydriver.CUfunction f = self._function()
        cdef cydriver.CUoccupancyB2DSize fn = NULL
        cdef size_t dyn = 0
        cdef int min_grid = 0, block = 0
        if isinstance(dynamic_shared_memory_needed, int) and not isinstance(dynamic_shared_memory_needed, bool):
            dyn = dynamic_shared_memory_needed
        elif isinstance(dynamic_shared_memory_needed, _driver().CUoccupancyB2DSize):
            # Made as CUoccupancyB2DSize(_ptr=<function address>) (NVIDIA's documented use): the
            # object's pointer is the C function itself.
            fn = <cydriver.CUoccupancyB2DSize><intptr_t>dynamic_shared_memory_needed.getPtr()
        else:
            raise TypeError(
                "dynamic_shared_memory_needed must be an int or a driver.CUoccupancyB2DSize, got "
                f"{type(dynamic_shared_memory_needed).__name__}"
            )
        with nogil:
            check(cydriver.cuOccupancyMaxPotentialBlockSize(&min_grid, &block, f, fn, dyn, block_size_limit))
        return MaxPotentialBlockSizeOccupancyResult(min_grid, block)

    def available_dynamic_shared_memory_per_block(self, int num_blocks_per_multiprocessor, int block_size):
        """Dynamic shared memory (bytes) each block may use at that occupancy."""
        cdef cydriver.CUfunction f = self._function()
        cdef size_t size = 0
        with nogil:
            check(cydriver.cuOccupancyAvailableDynamicSMemPerBlock(&size, f, num_blocks_per_multiprocessor, block_size))
        return size

    def max_potential_cluster_size(self, config, *, stream):
        """Largest cluster size this kernel can launch with under ``config`` (its cluster is ignored)."""
        return _cluster_occupancy(self._function(), config, stream, False)

    def max_active_clusters(self, config, *, stream):
        """Most clusters of ``config.cluster`` that can run at once on the device."""
        return _cluster_occupancy(self._function(), config, stream, True)


cdef int _cluster_occupancy(cydriver.CUfunction f, config, stream, bint active) except -1:
    """cuOccupancyMaxActiveClusters (active: the config's cluster counts) or, else,
    cuOccupancyMaxPotentialClusterSize (the config's cluster is ignored)."""
    cdef cydriver.CUlaunchConfig cfg
    cdef cydriver.CUlaunchAttribute attr
    cdef int n = 0
    _fill_config(config, stream, active, &cfg, &attr)
    with nogil:
        if active:
            check(cydriver.cuOccupancyMaxActiveClusters(&n, f, &cfg))
        else:
            check(cydriver.cuOccupancyMaxPotentialClusterSize(&n, f, &cfg))
    return n


cdef list _param_info(cydriver.CUkernel handle):
    """(offset, size) of each parameter: cuKernelGetParamInfo until it reports no such index."""
    cdef size_t index = 0, offset = 0, size = 0
    cdef cydriver.CUresult err
    out = []
    _ensure_init()
    while True:
        with nogil:
            err = cydriver.cuKernelGetParamInfo(handle, index, &offset, &size)
        if err == cydriver.CUDA_ERROR_INVALID_VALUE:  # past the last parameter
            break
        check(err)
        out.append(ParamInfo(offset, size))
        index += 1
    return out


cdef class Kernel:
    """One kernel of an :class:`ObjectCode`; launch it with :func:`cuda.core.launch`.

    Made by :meth:`ObjectCode.get_kernel` or :meth:`Kernel.from_handle`.
    """

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Kernel objects cannot be instantiated directly. Use ObjectCode.get_kernel() or Kernel.from_handle().")

    @staticmethod
    def from_handle(handle, mod=None):
        """A Kernel for an existing ``CUkernel`` (an int address or a driver.CUkernel).

        ``mod`` (an ObjectCode) is kept alive as long as the kernel; without it, the ObjectCode whose
        :meth:`~ObjectCode.get_kernel` gave this handle, if one did.
        """
        if isinstance(handle, bool) or handle is None or isinstance(handle, (float, str, bytes)):
            raise TypeError(f"handle must be an int or a driver.CUkernel, got {type(handle).__name__}")
        try:
            address = int(handle)
        except (TypeError, ValueError):
            raise TypeError(f"handle must be an int or a driver.CUkernel, got {type(handle).__name__}") from None
        if address == 0:
            raise ValueError("handle must not be NULL")
        if address < 0 or address >= 2**64:
            raise OverflowError(f"handle {address} is not a valid address")
        if mod is not None and not isinstance(mod, ObjectCode):
            raise TypeError(f"mod must be an ObjectCode or None, got {type(mod).__name__}")
        if mod is None:  # one of ours: keep its library loaded
            mod = _kernel_owners.get(address)
        return _new_kernel(<cydriver.CUkernel><intptr_t><size_t>address, mod)

    @property
    def handle(self):
        """The ``driver.CUkernel`` (``int()`` gives its address)."""
        return _driver().CUkernel(<intptr_t>self._handle)

    @property
    def arguments_info(self) -> list:
        """(offset, size) in bytes of each parameter, as ParamInfo tuples."""
        if self._arguments_info is None:
            self._arguments_info = _param_info(self._handle)
        return list(self._arguments_info)

    @property
    def num_arguments(self) -> int:
        if self._arguments_info is None:
            self._arguments_info = _param_info(self._handle)
        return len(self._arguments_info)

    @property
    def attributes(self):
        """The kernel's attributes (:class:`KernelAttributes`) on the current device."""
        if self._attributes is None:
            self._attributes = _new_attributes(self, -1, {})
        return self._attributes

    @property
    def occupancy(self):
        """Occupancy queries (:class:`KernelOccupancy`)."""
        cdef KernelOccupancy occ
        if self._occupancy is None:
            occ = KernelOccupancy.__new__(KernelOccupancy)
            occ._kernel = self
            self._occupancy = occ
        return self._occupancy

    def __eq__(self, other):
        if not isinstance(other, Kernel):
            return NotImplemented
        return self._handle == (<Kernel>other)._handle

    def __hash__(self):
        return hash(<intptr_t>self._handle)

    def __repr__(self):
        return f"<Kernel handle={<uintptr_t>self._handle:#x}>"


# ---------------------------------------------------------------------------------------------
# The driver's linker (cuLink*), used by cuda.core._linker when nvJitLink is unavailable. One call
# does create/add/complete/destroy, because the option arrays must outlive the CUlinkState.

from libc.stdlib cimport malloc, free

_DRIVER_INPUT_TYPES = {
    "cubin": cydriver.CU_JIT_INPUT_CUBIN,
    "ptx": cydriver.CU_JIT_INPUT_PTX,
    "fatbin": cydriver.CU_JIT_INPUT_FATBINARY,
    "object": cydriver.CU_JIT_INPUT_OBJECT,
    "library": cydriver.CU_JIT_INPUT_LIBRARY,
}
_DRIVER_LOG_SIZE = 1 << 16


def _driver_link(inputs, options, logs):
    """Link ``inputs`` ((code_type, bytes or path, name) tuples) with the driver into a cubin.

    ``options`` are (CUjit_option, int value) pairs. ``logs`` (a list) receives the info
    and error logs, also when linking fails.
    """
    cdef Py_ssize_t n = len(options) + 4, i
    cdef cydriver.CUjit_option* keys = <cydriver.CUjit_option*>malloc(n * sizeof(cydriver.CUjit_option))
    cdef void** values = <void**>malloc(n * sizeof(void*))
    cdef cydriver.CUlinkState state = NULL
    cdef void* cubin = NULL
    cdef size_t size = 0
    cdef const char* data
    cdef const char* cname
    cdef cydriver.CUjitInputType kind
    info = bytearray(_DRIVER_LOG_SIZE)
    error = bytearray(_DRIVER_LOG_SIZE)
    cdef char* info_buf = info
    cdef char* error_buf = error
    if keys == NULL or values == NULL:
        free(keys)
        free(values)
        raise MemoryError()
    try:
        for i, (key, value) in enumerate(options):
            keys[i] = <cydriver.CUjit_option><int>key
            values[i] = <void*><intptr_t>value
        i = len(options)
        keys[i] = cydriver.CU_JIT_INFO_LOG_BUFFER
        values[i] = <void*>info_buf
        keys[i + 1] = cydriver.CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES
        values[i + 1] = <void*><size_t>_DRIVER_LOG_SIZE
        keys[i + 2] = cydriver.CU_JIT_ERROR_LOG_BUFFER
        values[i + 2] = <void*>error_buf
        keys[i + 3] = cydriver.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES
        values[i + 3] = <void*><size_t>_DRIVER_LOG_SIZE
        _ensure_init()
        with nogil:
            check(cydriver.cuLinkCreate(<unsigned int>n, keys, values, &state))
        for code_type, module, name in inputs:
            kind = _DRIVER_INPUT_TYPES[code_type]
            bname = name.encode() if isinstance(name, str) else bytes(name)
            cname = bname
            if isinstance(module, bytes):
                data = <bytes>module
                size = len(<bytes>module)
                with nogil:
                    check(cydriver.cuLinkAddData(state, kind, <void*>data, size, cname, 0, NULL, NULL))
            else:
                path = os.fsencode(module)
                data = path
                with nogil:
                    check(cydriver.cuLinkAddFile(state, kind, data, 0, NULL, NULL))
        size = 0
        with nogil:
            check(cydriver.cuLinkComplete(state, &cubin, &size))
        return (<char*>cubin)[:size]
    finally:
        if state != NULL:
            cydriver.cuLinkDestroy(state)
        free(keys)
        free(values)
        logs.append(bytes(info).split(b"\0", 1)[0].decode(errors="replace"))
        logs.append(bytes(error).split(b"\0", 1)[0].decode(errors="replace"))
