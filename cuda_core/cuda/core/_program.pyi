# SPDX-License-Identifier: Apache-2.0
from typing import Any

from cuda.core._module import ObjectCode
from cuda.core._program_cache import ProgramCacheResource
from cuda.core._program_options import ProgramOptions as ProgramOptions

class Program:
    def __init__(
        self, code: str | bytes | bytearray, code_type: str, options: ProgramOptions | None = None
    ) -> None: ...
    def compile(
        self,
        target_type: str,
        name_expressions: tuple[str | bytes, ...] | list[str | bytes] = (),
        logs: Any = None,
        *,
        cache: ProgramCacheResource | None = None,
    ) -> ObjectCode: ...
    @property
    def backend(self) -> str: ...
    @property
    def handle(self) -> Any: ...
    @property
    def pch_status(self) -> str | None: ...
    @property
    def is_closed(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Program: ...
    def __exit__(self, *exc: object) -> None: ...
