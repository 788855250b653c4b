# SPDX-License-Identifier: Apache-2.0
class CUDAError(Exception):
    code: int | None
    name: str | None
    def __init__(self, message: str, code: int | None = None, name: str | None = None) -> None: ...

class WrongKindError(TypeError, ValueError): ...

class NVRTCError(CUDAError):
    log: str

def driver_error(code: int) -> CUDAError: ...
