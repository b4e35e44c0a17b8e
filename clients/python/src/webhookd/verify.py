"""Receiver side: sign and verify webhookd deliveries with the standard library only.

Each delivery is an HTTP POST whose raw body is signed as
``sha256=<hex HMAC-SHA256(secret, f"{timestamp}." + body)>`` in the
``X-Webhook-Signature`` header, next to ``X-Webhook-Id`` and
``X-Webhook-Timestamp``. During a secret rotation the header holds several
comma-separated signatures; one matching signature is enough.
"""

import hashlib
import hmac
import re
import time
from collections.abc import Mapping, Sequence

ID_HEADER = "X-Webhook-Id"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
SIGNATURE_HEADER = "X-Webhook-Signature"
DEFAULT_TOLERANCE_SECONDS = 300

_SCHEME_PREFIX = "sha256="
_TIMESTAMP = re.compile(r"[+-]?[0-9]+")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")


class WebhookVerificationError(Exception):
    """A delivery failed verification; ``code`` names the category."""

    code: str = "verification_failed"


class MalformedHeaderError(WebhookVerificationError):
    """A signature or timestamp header is missing or cannot be parsed."""

    code = "malformed_header"


class TimestampOutOfToleranceError(WebhookVerificationError):
    """The timestamp is too far from now, in the past or the future (replay protection)."""

    code = "timestamp_out_of_tolerance"


class SignatureMismatchError(WebhookVerificationError):
    """No signature in the header matches any of the secrets."""

    code = "signature_mismatch"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the ``sha256=<hex>`` signature of ``body`` sent at ``timestamp`` (unix seconds)."""
    return _SCHEME_PREFIX + _digest(secret, timestamp, body).hex()


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secret: str | Sequence[str],
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: int | None = None,
) -> None:
    """Check that ``body`` was signed by webhookd with ``secret`` (or one of several secrets).

    ``body`` must be the raw request bytes, before any JSON parsing. ``headers``
    are looked up case-insensitively. ``now`` defaults to the current unix time.
    Raises a :class:`WebhookVerificationError` subclass when the delivery must
    be rejected; returns ``None`` when it is authentic.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp_header = lowered.get(TIMESTAMP_HEADER.lower())
    signature_header = lowered.get(SIGNATURE_HEADER.lower())
    if timestamp_header is None or signature_header is None:
        raise MalformedHeaderError(f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header")
    if not _TIMESTAMP.fullmatch(timestamp_header.strip()):
        raise MalformedHeaderError(f"timestamp {timestamp_header!r} is not unix seconds")
    timestamp = int(timestamp_header.strip())
    signatures = _parse_signatures(signature_header)
    current = int(time.time()) if now is None else now
    if abs(current - timestamp) > tolerance:
        raise TimestampOutOfToleranceError(
            f"timestamp {timestamp} is more than {tolerance} s away from now ({current})"
        )
    secrets = [secret] if isinstance(secret, str) else list(secret)
    for candidate in secrets:
        expected = _digest(candidate, timestamp, body)
        if any(hmac.compare_digest(expected, given) for given in signatures):
            return
    raise SignatureMismatchError("no signature matches the secret")


def _parse_signatures(header: str) -> list[bytes]:
    """Decode every ``sha256=<hex>`` value of a comma-separated signature header."""
    signatures = []
    for part in filter(None, (part.strip() for part in header.split(","))):
        if not part.startswith(_SCHEME_PREFIX):
            raise MalformedHeaderError(f"{part!r} does not start with {_SCHEME_PREFIX}")
        hex_digest = part[len(_SCHEME_PREFIX) :]
        if not _HEX.fullmatch(hex_digest):
            raise MalformedHeaderError(f"{part!r} is not hex")
        signatures.append(bytes.fromhex(hex_digest))
    if not signatures:
        raise MalformedHeaderError("no signature given")
    return signatures


def _digest(secret: str, timestamp: int, body: bytes) -> bytes:
    """HMAC-SHA256 of ``f"{timestamp}." + body`` keyed with the UTF-8 secret."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).digest()
