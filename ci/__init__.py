# SPDX-License-Identifier: Apache-2.0
"""This repository's own tooling (not shipped in any distribution).

`ci.toolkit` reads toolkit-versions.yaml for every user (`from ci import toolkit`). Scripts that
import it run as modules from the repository root, which puts the root on sys.path:
`python -m ci.generate_versions`, `python -m ci.release build`. The others run by path:
bootstrap.py (before any venv exists) and the scripts that must choose their own sys.path
(the GPU-machine and fresh-venv checks).
"""
