"""The file store: files kept by their SHA-256, in a folder (default) or an S3-compatible bucket.

Content-addressed: a file's name is its hash, so a file stored twice is kept once and a changed
byte is a different file. Nothing here deletes. S3 goes through boto3 (AWS's SDK, maintained,
speaks to any S3-compatible server such as MinIO by its endpoint URL), run in a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from activities.runtime.settings import Settings

CHUNK = 256 * 1024


class FileStore(Protocol):
    async def put_file(self, path: Path, sha256: str) -> None: ...
    async def put_bytes(self, data: bytes, sha256: str) -> None: ...
    async def exists(self, sha256: str) -> bool: ...
    def chunks(self, sha256: str) -> Iterator[bytes]: ...
    async def rehash(self, sha256: str) -> str | None:
        """The SHA-256 of what is stored under ``sha256`` now, None when missing."""
        ...


def _hash_chunks(chunks: Iterator[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


class FolderStore:
    """Files under ``root/ab/cd/<sha256>``, written once (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def put_file(self, path: Path, sha256: str) -> None:
        await asyncio.to_thread(self._put, path, sha256)

    def _put(self, path: Path, sha256: str) -> None:
        target = self.path_of(sha256)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{sha256}.{os.getpid()}.partial")
        shutil.copyfile(path, partial)
        partial.replace(target)

    async def put_bytes(self, data: bytes, sha256: str) -> None:
        target = self.path_of(sha256)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{sha256}.{os.getpid()}.partial")
        partial.write_bytes(data)
        partial.replace(target)

    async def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def chunks(self, sha256: str) -> Iterator[bytes]:
        with self.path_of(sha256).open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    async def rehash(self, sha256: str) -> str | None:
        if not await self.exists(sha256):
            return None
        return await asyncio.to_thread(_hash_chunks, self.chunks(sha256))


class S3Store:
    """Files as objects ``<prefix><sha256>`` in one bucket of an S3-compatible server."""

    def __init__(self, client: Any, bucket: str, prefix: str = "files/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def key(self, sha256: str) -> str:
        return f"{self.prefix}{sha256}"

    async def put_file(self, path: Path, sha256: str) -> None:
        if not await self.exists(sha256):
            # upload_file streams from disk (multipart above its threshold).
            await asyncio.to_thread(
                self.client.upload_file, str(path), self.bucket, self.key(sha256)
            )

    async def put_bytes(self, data: bytes, sha256: str) -> None:
        if not await self.exists(sha256):
            await asyncio.to_thread(
                self.client.put_object, Bucket=self.bucket, Key=self.key(sha256), Body=data
            )

    async def exists(self, sha256: str) -> bool:
        return await asyncio.to_thread(self._exists, sha256)

    def _exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def chunks(self, sha256: str) -> Iterator[bytes]:
        answer = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        body = answer["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    async def rehash(self, sha256: str) -> str | None:
        if not await self.exists(sha256):
            return None
        return await asyncio.to_thread(_hash_chunks, self.chunks(sha256))


def file_store(settings: Settings) -> FileStore:
    """The file store the settings name: the folder under the data directory, or S3."""
    if settings.file_store == "s3":
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url or None,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id or None,
            aws_secret_access_key=settings.s3_secret_access_key.get_secret_value() or None,
        )
        return S3Store(client, settings.s3_bucket)
    return FolderStore(settings.files_dir or settings.data_dir / "files")
