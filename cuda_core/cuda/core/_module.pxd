from cuda.bindings cimport cydriver


cdef class Kernel:
    cdef cydriver.CUkernel _handle  # launched as a CUfunction (cuLaunchKernelEx accepts both)
    cdef object _library            # the ObjectCode that keeps the CUlibrary loaded
    cdef object __weakref__
