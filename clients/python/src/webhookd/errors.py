"""The one error type of failed calls, with the details webhookd attaches to its statuses.

webhookd sends a ``google.rpc.Status`` in the ``grpc-status-details-bin``
trailer, with an ``ErrorInfo`` (a stable reason such as ``PAYLOAD_TOO_LARGE``
and metadata such as ``limit``) and a ``BadRequest`` (the invalid fields).
These three messages are decoded here by hand, from their few wire fields:
depending on googleapis-common-protos for them would tie the SDK to that
package's protobuf floor and risk clashing with an application's own copy.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc

_STATUS_DETAILS_KEY = "grpc-status-details-bin"
_ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo"
_BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"

_VARINT = 0
_FIXED64 = 1
_LENGTH_DELIMITED = 2
_FIXED32 = 5


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field of a request (``google.rpc.BadRequest.FieldViolation``)."""

    field: str
    """The field's path, for example ``event_type``."""
    description: str


class WebhookdError(Exception):
    """A call to webhookd failed.

    ``code`` is the gRPC status (``grpc.StatusCode.NOT_FOUND``, ...),
    ``message`` the server's message, ``reason`` the ``ErrorInfo`` reason
    (``"ENDPOINT_NOT_FOUND"``, ``"PAYLOAD_TOO_LARGE"``, ...; empty when the
    status has none) with its ``metadata`` (for example ``{"limit": "1048576"}``),
    and ``field_violations`` the invalid request fields.
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        *,
        reason: str = "",
        domain: str = "",
        metadata: dict[str, str] | None = None,
        field_violations: list[FieldViolation] | None = None,
    ) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        """The ErrorInfo domain: "webhookd" for webhookd's own reasons."""
        self.metadata: dict[str, str] = metadata or {}
        self.field_violations: list[FieldViolation] = field_violations or []

    def __str__(self) -> str:
        # The message already names the invalid fields: violations are not repeated.
        text = f"{self.code.name}: {self.message}"
        return f"{text} ({self.reason})" if self.reason else text

    def __repr__(self) -> str:
        return f"WebhookdError({self})"

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> "WebhookdError":
        """Builds the error of a failed call (sync or asyncio) from its status and trailers."""
        # A grpc.RpcError raised by a call is also a grpc.Call; others carry no status.
        call: Any = error
        if not hasattr(call, "code"):
            return cls(grpc.StatusCode.UNKNOWN, str(error))
        code: grpc.StatusCode = call.code()
        message: str = call.details() or ""
        details = b""
        for key, value in call.trailing_metadata() or ():
            if key == _STATUS_DETAILS_KEY and isinstance(value, bytes):
                details = value
        try:
            return _with_details(cls(code, message), details)
        except ValueError:
            # Undecodable details must not hide the status itself.
            return cls(code, message)


def _with_details(error: WebhookdError, status: bytes) -> WebhookdError:
    """Fills ``error`` from a serialized google.rpc.Status (code 1, message 2, details 3)."""
    for number, detail in _fields(status):
        if number != 3 or not isinstance(detail, bytes):
            continue
        type_url, value = "", b""
        for any_number, any_value in _fields(detail):  # google.protobuf.Any
            if any_number == 1 and isinstance(any_value, bytes):
                type_url = any_value.decode()
            elif any_number == 2 and isinstance(any_value, bytes):
                value = any_value
        if type_url == _ERROR_INFO_TYPE:
            _read_error_info(error, value)
        elif type_url == _BAD_REQUEST_TYPE:
            error.field_violations.extend(_read_bad_request(value))
    return error


def _read_error_info(error: WebhookdError, data: bytes) -> None:
    """ErrorInfo: reason 1, domain 2, metadata 3 (map entries: key 1, value 2)."""
    for number, value in _fields(data):
        if not isinstance(value, bytes):
            continue
        if number == 1:
            error.reason = value.decode()
        elif number == 2:
            error.domain = value.decode()
        elif number == 3:
            entry = {n: v for n, v in _fields(value) if isinstance(v, bytes)}
            error.metadata[entry.get(1, b"").decode()] = entry.get(2, b"").decode()


def _read_bad_request(data: bytes) -> Iterator[FieldViolation]:
    """BadRequest: field_violations 1 (each: field 1, description 2)."""
    for number, violation in _fields(data):
        if number == 1 and isinstance(violation, bytes):
            parts = {n: v for n, v in _fields(violation) if isinstance(v, bytes)}
            yield FieldViolation(
                field=parts.get(1, b"").decode(), description=parts.get(2, b"").decode()
            )


def _fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """Yields the (field number, value) pairs of a serialized message.

    Varints come as ``int``, length-delimited fields as ``bytes``; fixed-width
    fields are skipped. Raises ``ValueError`` on malformed input.
    """
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == _VARINT:
            value, position = _varint(data, position)
            yield number, value
        elif wire_type == _LENGTH_DELIMITED:
            length, position = _varint(data, position)
            if position + length > len(data):
                raise ValueError("truncated field")
            yield number, data[position : position + length]
            position += length
        elif wire_type == _FIXED64:
            position += 8
        elif wire_type == _FIXED32:
            position += 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
    if position != len(data):
        raise ValueError("truncated message")


def _varint(data: bytes, position: int) -> tuple[int, int]:
    """Reads a base-128 varint at ``position``; returns it and the position after it."""
    value = 0
    for shift in range(0, 64, 7):
        if position >= len(data):
            raise ValueError("truncated varint")
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
    raise ValueError("varint too long")
