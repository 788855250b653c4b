# SPDX-License-Identifier: Apache-2.0
from typing import Any

class LaunchConfigError(TypeError, ValueError): ...

class LaunchConfig:
    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    cluster: tuple[int, int, int] | None
    shmem_size: int
    is_cooperative: bool
    programmatic_stream_serialization: bool
    def __init__(
        self,
        grid: int | tuple[int, ...] | None = None,
        cluster: int | tuple[int, ...] | None = None,
        block: int | tuple[int, ...] | None = None,
        shmem_size: int | None = None,
        is_cooperative: bool = False,
        programmatic_stream_serialization: bool = False,
    ) -> None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def launch(stream: Any, config: LaunchConfig, kernel: Any, *kernel_args: Any) -> None: ...
