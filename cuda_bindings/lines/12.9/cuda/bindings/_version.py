# SPDX-License-Identifier: Apache-2.0
# Generated: the 12.9 line.
__version__ = "12.9.10"
