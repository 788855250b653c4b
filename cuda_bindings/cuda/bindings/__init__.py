# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings: low-level Python and Cython bindings for the CUDA libraries.

Modules load nothing at import; each library is found with cuda.pathfinder and
loaded on the first call into it.
"""

from ._version import __version__

__all__ = ["__version__"]
