"""Check a case bundle (卷宗导出包) offline: every file in it hashed again against its manifest.

This module uses the standard library only: it is shipped inside each bundle as ``verify.py``,
so anyone holding the zip can check it without Fengqiao installed:

    python3 verify.py BUNDLE.zip        (or: fengqiao audit verify-bundle BUNDLE.zip)
    python3 verify.py FOLDER            (the bundle unpacked; FOLDER holds manifest.json)
    python3 verify.py                   (run from the unpacked bundle: checks its own folder)

Exit status 0 when every file listed is present with its hash and size and no file is
unlisted, 1 otherwise; one line per problem naming the file, Chinese first.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zipfile
from collections.abc import Callable, Iterator
from typing import IO

MANIFEST = "manifest.json"
MANIFEST_TEXT = "MANIFEST.txt"
SELF = "verify.py"


class _Folder:
    """An unpacked bundle read like the zip: names relative to the folder, with ``/``."""

    def __init__(self, root: str) -> None:
        self.root = root

    def namelist(self) -> list[str]:
        names = []
        for folder, _, files in os.walk(self.root):
            for name in files:
                path = os.path.relpath(os.path.join(folder, name), self.root)
                names.append(path.replace(os.sep, "/"))
        return names

    def open(self, name: str) -> IO[bytes]:
        return open(os.path.join(self.root, *name.split("/")), "rb")

    def read(self, name: str) -> bytes:
        with self.open(name) as handle:
            return handle.read()


def _blocks(opener: Callable[[str], IO[bytes]], name: str) -> Iterator[bytes]:
    with opener(name) as handle:
        yield from iter(lambda: handle.read(1 << 16), b"")


def problems_in(path: str) -> tuple[int, list[str]]:
    """How many files were checked, and what is wrong with the bundle at ``path`` (a zip, or
    the folder it was unpacked into)."""
    found: list[str] = []
    if os.path.isdir(path):
        archive: zipfile.ZipFile | _Folder = _Folder(path)
    else:
        try:
            archive = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as error:
            return 0, [f"无法打开导出包 / cannot open the bundle: {error}"]
    names = set(archive.namelist())
    if MANIFEST not in names:
        return 0, ["导出包缺少 manifest.json / the bundle has no manifest.json"]
    manifest = json.loads(archive.read(MANIFEST))
    listed = manifest.get("files", [])
    text_lines = set()
    if MANIFEST_TEXT in names:
        text_lines = set(archive.read(MANIFEST_TEXT).decode("utf-8").splitlines())
    for entry in listed:
        name, expected = entry["path"], entry["sha256"]
        if name not in names:
            found.append(f"缺少文件 {name} / missing: {name}")
            continue
        digest = hashlib.sha256()
        size = 0
        for block in _blocks(archive.open, name):
            digest.update(block)
            size += len(block)
        if digest.hexdigest() != expected or size != entry["size"]:
            found.append(f"文件被改动 {name} / altered: {name}")
        if text_lines and f"{expected}  {name}" not in text_lines:
            found.append(f"两份清单不一致 {name} / manifests disagree on {name}")
    unlisted = names - {e["path"] for e in listed} - {MANIFEST, MANIFEST_TEXT, SELF}
    found += [f"清单外的文件 {n} / not in the manifest: {n}" for n in sorted(unlisted)]
    if isinstance(archive, zipfile.ZipFile):
        archive.close()
    return len(listed), found


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        sys.stderr.write("用法 / usage: python3 verify.py [BUNDLE.zip | FOLDER]\n")
        return 2
    target = argv[1] if len(argv) == 2 else os.path.dirname(os.path.abspath(__file__))
    checked, found = problems_in(target)
    for line in found:
        sys.stdout.write(line + "\n")
    if found:
        sys.stdout.write(f"核验未通过：{len(found)} 处问题 / FAILED: {len(found)} problems\n")
        return 1
    sys.stdout.write(f"核验通过：{checked} 个文件完整 / OK: {checked} files intact\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
