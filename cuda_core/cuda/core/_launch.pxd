# SPDX-License-Identifier: Apache-2.0
from libc.stdint cimport uint64_t

from cuda.bindings cimport cydriver


cdef class LaunchConfig:
    cdef tuple _grid
    cdef tuple _block
    cdef object _cluster
    cdef unsigned int _shmem
    cdef bint _coop
    cdef bint _pss
    cdef cydriver.CUlaunchConfig _cfg
    cdef cydriver.CUlaunchAttribute _attrs[3]
    cdef object __weakref__

    cdef void _build(self)


# Pack kernel arguments as launch() does: ptrs[i] points at the value of args[i] (in slots[i],
# or inside the argument object itself, which must outlive the use of ptrs).
cdef int pack_arguments(tuple args, uint64_t* slots, void** ptrs) except -1
