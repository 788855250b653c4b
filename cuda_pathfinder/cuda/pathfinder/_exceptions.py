# SPDX-License-Identifier: Apache-2.0
"""The exceptions of cuda.pathfinder (all RuntimeError subclasses, as callers expect)."""


class DynamicLibNotFoundError(RuntimeError):
    """A dynamic library, or a library it needs, could not be found or loaded."""


class DynamicLibUnknownError(DynamicLibNotFoundError):
    """The name is not one of the libraries cuda.pathfinder knows."""


class DynamicLibNotAvailableError(DynamicLibNotFoundError):
    """The name is known, but the library does not exist for this platform."""


class StaticLibNotFoundError(RuntimeError):
    """A supported static library (for example libcudadevrt.a) was not found."""


class BitcodeLibNotFoundError(RuntimeError):
    """A supported bitcode library (for example libdevice.10.bc) was not found."""


class UnsupportedArchError(RuntimeError):
    """The Python platform is not one that NVIDIA ships libraries for."""

    def __init__(self, platform_tag: str):
        self.platform_tag = platform_tag
        super().__init__(f"Unsupported Python platform {platform_tag!r}: NVIDIA ships CUDA libraries for 64-bit Python")

    def __reduce__(self):
        return (type(self), (self.platform_tag,))


class UnsupportedBinaryError(ValueError):
    """find_nvidia_binary_utility() was given a name it does not know."""
