# SPDX-License-Identifier: Apache-2.0
"""Rebuild wheels from distributions installed in this interpreter, into a local wheelhouse.

The lent GPU machine cannot download, but its image has numpy, setuptools and the nvidia-*
runtime wheels installed. `pip install --no-index --find-links WHEELHOUSE ./cuda_python[all]`
there needs them as wheel files: this writes one per distribution, from the files its RECORD
lists (those inside site-packages; console scripts are left to entry_points.txt), with a new
RECORD. Usage: python repack_installed.py WHEELHOUSE DIST [DIST ...]; prints one line per wheel
and exits 1 if a distribution is not installed.
"""

from __future__ import annotations

import base64
import hashlib
import sys
import zipfile
from importlib import metadata
from pathlib import Path


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _tag(dist: metadata.Distribution) -> str:
    """The wheel tag the distribution was installed from (its WHEEL file's first Tag line)."""
    for line in (dist.read_text("WHEEL") or "").splitlines():
        if line.startswith("Tag:"):
            return line.split(":", 1)[1].strip()
    return "py3-none-any"


def repack(name: str, wheelhouse: Path) -> Path:
    dist = metadata.distribution(name)
    stem = f"{dist.metadata['Name'].replace('-', '_')}-{dist.version}"
    target = wheelhouse / f"{stem}-{_tag(dist)}.whl"
    base = Path(dist.locate_file(""))
    # The distribution's own metadata folder: top level (vendored packages have their own inside).
    info = next(
        (
            f.parent.as_posix()
            for f in dist.files or []
            if f.name == "METADATA" and f.parent.suffix == ".dist-info" and len(f.parts) == 2
        ),
        None,
    )
    if info is None:
        raise RuntimeError(f"{name}: no top-level .dist-info/METADATA among its files")
    record = []
    # Stored, not deflated: these wheels never leave the machine, and the nvidia-* ones are large.
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
        for f in dist.files or []:
            rel = f.as_posix()
            if rel.startswith("..") or "__pycache__" in rel or rel == f"{info}/RECORD":
                continue
            src = base / rel
            if not src.is_file():
                continue
            data = src.read_bytes()
            zf.writestr(rel, data)
            record.append(f"{rel},{_record_hash(data)},{len(data)}")
        record.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return target


def main(argv: list[str]) -> int:
    wheelhouse = Path(argv[0])
    wheelhouse.mkdir(parents=True, exist_ok=True)
    missing = 0
    for name in argv[1:]:
        try:
            path = repack(name, wheelhouse)
        except metadata.PackageNotFoundError:
            print(f"{name}: not installed here")
            missing = 1
            continue
        print(f"{name}: {path.name} ({path.stat().st_size / 1e6:.1f} MB)")
    return missing


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
