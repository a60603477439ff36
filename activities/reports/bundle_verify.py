"""Check a case bundle (卷宗导出包) offline: every file in it hashed again against its manifest.

This module uses the standard library only: it is shipped inside each bundle as ``verify.py``,
so anyone holding the zip can check it without Fengqiao installed:

    python verify.py BUNDLE.zip        (or: fengqiao audit verify-bundle BUNDLE.zip)

Exit status 0 when every file listed is present with its hash and size and no file is
unlisted, 1 otherwise; one line per problem, Chinese first.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile

MANIFEST = "manifest.json"
MANIFEST_TEXT = "MANIFEST.txt"
SELF = "verify.py"


def problems_in(path: str) -> tuple[int, list[str]]:
    """How many files were checked, and what is wrong with the bundle at ``path``."""
    found: list[str] = []
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        return 0, [f"无法打开导出包 / cannot open the bundle: {error}"]
    with archive:
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
            with archive.open(name) as handle:
                for block in iter(lambda: handle.read(1 << 16), b""):  # noqa: B023
                    digest.update(block)
                    size += len(block)
            if digest.hexdigest() != expected or size != entry["size"]:
                found.append(f"文件被改动 {name} / altered: {name}")
            if text_lines and f"{expected}  {name}" not in text_lines:
                found.append(f"两份清单不一致 {name} / manifests disagree on {name}")
        unlisted = names - {e["path"] for e in listed} - {MANIFEST, MANIFEST_TEXT, SELF}
        found += [f"清单外的文件 {n} / not in the manifest: {n}" for n in sorted(unlisted)]
    return len(listed), found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("用法 / usage: python verify.py BUNDLE.zip\n")
        return 2
    checked, found = problems_in(argv[1])
    for line in found:
        sys.stdout.write(line + "\n")
    if found:
        sys.stdout.write(f"核验未通过：{len(found)} 处问题 / FAILED: {len(found)} problems\n")
        return 1
    sys.stdout.write(f"核验通过：{checked} 个文件完整 / OK: {checked} files intact\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
