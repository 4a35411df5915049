"""Objects in an S3 bucket through the MinIO SDK; multipart for large objects.

An object written in parts over many requests is one S3 multipart upload; the SDK keeps its
calls for those private, but they are plain S3 calls.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import BinaryIO, TypeVar

import urllib3
from minio import Minio
from minio.datatypes import Part
from minio.error import MinioException, S3Error

from storage_backends.base import Backend, BackendError, Option

PART_SIZE = 16 * 1024 * 1024
PROBE_KEY = "00/anonymous-access-probe"
REFUSALS = {"AccessDenied", "AllAccessDisabled", "SignatureDoesNotMatch", "InvalidAccessKeyId"}
GONE = {"NoSuchKey", "NoSuchObject", "ResourceNotFound", "NoSuchUpload"}
T = TypeVar("T")


@contextmanager
def s3_errors(doing: str) -> Iterator[None]:
    """A refused or unreachable S3 call becomes a BackendError saying what failed."""
    try:
        yield
    except (MinioException, urllib3.exceptions.HTTPError) as error:
        raise BackendError(f"could not {doing}: {error}") from error


class ChunkReader(io.RawIOBase):
    """A file-like view of an iterable of byte strings, for the SDK's `read(n)`."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""
        self.source_error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
            except BaseException as error:
                self.source_error = error  # the source failed, not the store
                raise
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class StreamingBody(io.RawIOBase):
    """An S3 response body as a stream that returns its connection when closed."""

    def __init__(self, response: urllib3.BaseHTTPResponse) -> None:
        self._response = response

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._response.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._response.close()
            self._response.release_conn()
        super().close()


class MinioBackend(Backend):
    """A private bucket; the bucket is made on first use if the keys allow it."""

    name = "minio"
    OPTIONS = (
        Option("endpoint", str, "127.0.0.1:9000", "MinIO/S3 host and port"),
        Option("access_key", str, "", "MinIO/S3 access key"),
        Option("secret_key", str, "", "MinIO/S3 secret key", secret=True),
        Option("bucket", str, "madoguchi", "the bucket objects are kept in, made on first use"),
        Option("secure", bool, False, "reach MinIO/S3 over TLS"),
    )

    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str, secure: bool) -> None:
        self.endpoint, self.bucket, self.secure = endpoint, bucket, secure
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=60),
            retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504)),
        )
        self.client = Minio(endpoint, access_key, secret_key, secure=secure, http_client=http)
        try:
            if not self.client.bucket_exists(bucket):
                self.client.make_bucket(bucket)
        except (MinioException, urllib3.exceptions.HTTPError) as error:
            raise BackendError(f"bucket {bucket} at {endpoint} is not usable: {error}") from error

    def _put(self, key: str, chunks: Iterable[bytes]) -> None:
        reader = ChunkReader(chunks)
        try:
            # Unknown length: the SDK uploads in parts and aborts the upload if a part fails.
            self.client.put_object(
                self.bucket, key, reader, length=-1, part_size=PART_SIZE, num_parallel_uploads=1
            )
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as error:
            if reader.source_error is not None:
                raise reader.source_error from None
            raise BackendError(f"could not write {key}: {error}") from error

    def _open(self, key: str) -> BinaryIO:
        try:
            return io.BufferedReader(StreamingBody(self.client.get_object(self.bucket, key)), 1024 * 1024)
        except (MinioException, urllib3.exceptions.HTTPError) as error:
            raise BackendError(f"could not read {key}: {error}") from error

    def _read_range(self, key: str, offset: int, length: int) -> bytes:
        with s3_errors(f"read {key}"):
            response = self.client.get_object(self.bucket, key, offset=offset, length=length)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

    def _begin_parts(self, key: str) -> str:
        with s3_errors(f"begin {key}"):
            return self.client._create_multipart_upload(self.bucket, key, {})

    def _write_part(self, key: str, handle: str, number: int, offset: int, pieces: Sequence[bytes]) -> str:
        data = b"".join(pieces)  # one signed request body
        with s3_errors(f"write part {number} of {key}"):
            return self.client._upload_part(self.bucket, key, data, None, handle, number + 1)

    def _complete_parts(self, key: str, handle: str, tags: Sequence[str]) -> None:
        parts = [Part(number, tag) for number, tag in enumerate(tags, start=1)]
        with s3_errors(f"complete {key}"):
            self.client._complete_multipart_upload(self.bucket, key, handle, parts)

    def _abort_parts(self, key: str, handle: str) -> None:
        self._unless_gone(lambda: self.client._abort_multipart_upload(self.bucket, key, handle), None)

    def _delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, key)

    def _exists(self, key: str) -> bool:
        return self._unless_gone(lambda: bool(self.client.stat_object(self.bucket, key)), False)

    @staticmethod
    def _unless_gone(call: Callable[[], T], gone: T) -> T:
        """The call's result, or `gone` if S3 says the object or upload is not there."""
        try:
            return call()
        except S3Error as error:
            if error.code in GONE:
                return gone
            raise

    def _list(self) -> Iterator[str]:
        for item in self.client.list_objects(self.bucket, recursive=True):
            yield item.object_name

    def _check(self) -> list[str]:
        anonymous = Minio(self.endpoint, secure=self.secure)
        self.client.put_object(self.bucket, PROBE_KEY, io.BytesIO(b"probe"), 5)
        probes = {
            "listed": lambda: next(iter(anonymous.list_objects(self.bucket)), None),
            "read": lambda: anonymous.get_object(self.bucket, PROBE_KEY).close(),
            "written": lambda: anonymous.put_object(self.bucket, PROBE_KEY, io.BytesIO(b"anon"), 4),
            "deleted": lambda: anonymous.remove_object(self.bucket, PROBE_KEY),
        }
        findings = []
        try:
            for verb, probe in probes.items():
                try:
                    probe()
                    findings.append(f"objects in bucket {self.bucket} can be {verb} without credentials")
                except S3Error as error:
                    if error.code not in REFUSALS:
                        findings.append(
                            f"anonymous access to {self.bucket} answered {error.code}; not verified"
                        )
                except (MinioException, urllib3.exceptions.HTTPError) as error:
                    findings.append(f"anonymous access to {self.bucket} could not be verified: {error}")
        finally:
            self.client.remove_object(self.bucket, PROBE_KEY)
        return findings

    def _sweep(self, older_than: float, keep: Collection[str]) -> int:
        cutoff = datetime.now(UTC).timestamp() - older_than
        removed = 0
        key_marker = upload_id_marker = None
        while True:
            result = self.client._list_multipart_uploads(
                self.bucket, key_marker=key_marker, upload_id_marker=upload_id_marker
            )
            for upload in result.uploads:
                initiated = upload.initiated_time.timestamp() if upload.initiated_time else time.time()
                if initiated <= cutoff and upload.upload_id not in keep:
                    self.client._abort_multipart_upload(self.bucket, upload.object_name, upload.upload_id)
                    removed += 1
            if not result.is_truncated:
                return removed
            key_marker, upload_id_marker = result.next_key_marker, result.next_upload_id_marker
