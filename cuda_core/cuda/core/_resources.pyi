# SPDX-License-Identifier: Apache-2.0
from collections.abc import Sequence
from typing import Any

class SMResourceOptions:
    count: int | Sequence[int] | None
    coscheduled_sm_count: int | None
    preferred_coscheduled_sm_count: int | None
    backfill: bool
    def __init__(
        self,
        count: int | Sequence[int] | None = None,
        coscheduled_sm_count: int | None = None,
        preferred_coscheduled_sm_count: int | None = None,
        backfill: bool = False,
    ) -> None: ...

class SMResource:
    @property
    def handle(self) -> int: ...
    @property
    def sm_count(self) -> int: ...
    @property
    def min_partition_size(self) -> int: ...
    @property
    def coscheduled_alignment(self) -> int: ...
    @property
    def flags(self) -> int: ...
    def split(self, options: SMResourceOptions, *, dry_run: bool = False) -> tuple[list[SMResource], SMResource]: ...

class WorkqueueResourceOptions:
    concurrency_limit: int | None
    sharing_scope: Any
    def __init__(self, concurrency_limit: int | None = None, sharing_scope: Any = None) -> None: ...

class WorkqueueResource:
    device: Any
    concurrency_limit: Any
    sharing_scope: Any
    handle: Any
    def configure(self, options: WorkqueueResourceOptions) -> None: ...

class DeviceResources:
    @property
    def sm(self) -> SMResource: ...
    @property
    def workqueue(self) -> WorkqueueResource: ...
