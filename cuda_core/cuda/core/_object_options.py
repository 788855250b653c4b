# SPDX-License-Identifier: Apache-2.0
"""Options of events, streams, green contexts and device resources: dataclasses, as NVIDIA's are
(``dataclasses.fields``, ``replace`` and ``asdict`` work on them, and they compare by value).

Each field takes what the same field of NVIDIA's takes, when the object is made and when a field
is set later (``cuda.core._options``: as_flag, as_bool, as_int); the remaining checks are made
where the options are used.
"""

from __future__ import annotations

from dataclasses import dataclass

from cuda.core._options import as_bool, as_flag, as_int

__all__ = ["ContextOptions", "EventOptions", "SMResourceOptions", "StreamOptions", "WorkqueueResourceOptions"]


class _Checked:
    """Runs each field's check (``_fields``: field name -> check) whenever the field is set."""

    __slots__ = ()
    _fields: dict = {}

    def __setattr__(self, name, value):
        check = self._fields.get(name)
        object.__setattr__(self, name, value if check is None else check(type(self).__name__, name, value))


@dataclass
class EventOptions(_Checked):
    """How an Event is created.

    timing_enabled: the event records a timestamp, so ``end - start`` gives elapsed milliseconds.
    blocking_sync: Event.sync() blocks the thread instead of spinning.
    ipc_enabled: the event can be shared with other processes (timing must then be disabled).
    """

    timing_enabled: bool | None = False
    blocking_sync: bool | None = False
    ipc_enabled: bool | None = False

    _fields = {"timing_enabled": as_bool, "blocking_sync": as_bool, "ipc_enabled": as_bool}


@dataclass
class StreamOptions(_Checked):
    """How a Stream is created.

    nonblocking: the stream does not synchronize with the legacy default stream (default True).
    priority: lower numbers run first; None is the lowest priority (0). Device's range is checked
    when the stream is made.
    """

    nonblocking: bool = True
    priority: int | None = None

    _fields = {"nonblocking": as_flag, "priority": as_int}


@dataclass
class ContextOptions:
    """How Device.create_context() makes a context: ``resources``, the SMResource/WorkqueueResource objects it gets."""

    resources: object = None


@dataclass
class SMResourceOptions:
    """How SMResource.split() partitions SMs.

    count: SMs per group, an int (one group) or a sequence (one group each; this driver API
    may differ: that needs a CUDA 13.1+ driver); None or 0: one group of the smallest size the
    driver allows. coscheduled_sm_count, preferred_coscheduled_sm_count: co-scheduling
    constraints, an int or one per group (0 or None: the driver's default). backfill: let
    groups take SMs beyond the co-scheduling alignment.
    """

    count: object = None
    coscheduled_sm_count: object = None
    preferred_coscheduled_sm_count: object = None
    backfill: bool = False


def _scope(owner: str, field: str, value):
    if value is None:
        return None
    from cuda.core.typing import WorkqueueSharingScopeType

    try:
        WorkqueueSharingScopeType(value)
    except ValueError:
        *first, last = (repr(m.value) for m in WorkqueueSharingScopeType)
        raise ValueError(f"{value!r} is not a valid WorkqueueSharingScopeType. "
                         f"Must be None, {', '.join(first)} or {last}") from None  # fmt: skip
    return value  # kept as given, as NVIDIA's


def _limit(owner: str, field: str, value):
    value = as_int(owner, field, value)
    if value is not None and value < 1:
        raise ValueError(f"concurrency_limit must be >= 1, got {value}")
    return value


@dataclass
class WorkqueueResourceOptions(_Checked):
    """Work-queue configuration for a green context: sharing_scope (a WorkqueueSharingScopeType
    or its value) and concurrency_limit (at least 1), each None to leave as is."""

    sharing_scope: object = None
    concurrency_limit: int | None = None

    _fields = {"sharing_scope": _scope, "concurrency_limit": _limit}
