# SPDX-License-Identifier: Apache-2.0
"""Hand-written: the behaviour shared by nvJitLinkError, nvvmError and nvFatbinError."""


class LibraryError(Exception):
    """A library call failed: .status is its result code, .error_log the library's log when there is one.

    Subclasses (generated) name their result enum in `_results` and, where the library can
    describe a code, a function in `_describe`.
    """

    _results = None
    _describe = None

    def __init__(self, status, error_log=None):
        self.status = status
        self.error_log = error_log
        try:
            name = self._results(status).name
        except ValueError:
            name = "unknown status"
        # str() is exactly NVIDIA's "NAME (code)", which callers match (pytest's match= also reads
        # __notes__, so the library's description and log are attributes, not notes).
        super().__init__(f"{name} ({int(status)})")
        self.description = self._describe(status) if self._describe is not None else None

    def __reduce__(self):
        return (type(self), (self.status, self.error_log))
