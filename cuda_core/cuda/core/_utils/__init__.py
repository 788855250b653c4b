# SPDX-License-Identifier: Apache-2.0
"""Where NVIDIA's cuda.core keeps helpers that user code and libraries import by path.

Our own layout is elsewhere; these modules only re-export what callers reach for here.
"""
