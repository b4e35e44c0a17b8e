"""Receiver side: sign and verify webhookd deliveries with the standard library only.

Each delivery is an HTTP POST whose raw body is signed as
``sha256=<hex HMAC-SHA256(secret, f"{timestamp}." + body)>`` in the
``X-Webhook-Signature`` header, next to ``X-Webhook-Id`` and
``X-Webhook-Timestamp``. During a secret rotation the header holds several
comma-separated signatures; one matching signature is enough.

Endpoints configured for the Standard Webhooks scheme
(https://www.standardwebhooks.com) send ``webhook-id``, ``webhook-timestamp``
and ``webhook-signature`` instead; :func:`verify_standard` checks those. Its
``v1`` (HMAC-SHA256) signatures need only the standard library; ``v1a``
(ed25519) signatures need the ``cryptography`` package, imported only when
public keys are given.
"""

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping, Sequence

ID_HEADER = "X-Webhook-Id"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
SIGNATURE_HEADER = "X-Webhook-Signature"
DEFAULT_TOLERANCE_SECONDS = 300

STANDARD_ID_HEADER = "webhook-id"
STANDARD_TIMESTAMP_HEADER = "webhook-timestamp"
STANDARD_SIGNATURE_HEADER = "webhook-signature"

_SCHEME_PREFIX = "sha256="
_TIMESTAMP = re.compile(r"[+-]?[0-9]+")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")
# Standard base64 with its padding, the only form accepted for secrets, keys and signatures.
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_SECRET_PREFIX = "whsec_"
_PUBLIC_KEY_PREFIX = "whpk_"
_ED25519_KEY_LENGTH = 32


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


def verify_standard(
    body: bytes,
    webhook_id: str | None,
    timestamp: str | None,
    signature: str | None,
    secret: str | Sequence[str] = (),
    *,
    public_key: str | Sequence[str] = (),
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: int | None = None,
) -> None:
    """Check a delivery signed with the Standard Webhooks scheme.

    ``webhook_id``, ``timestamp`` and ``signature`` are the values of the
    ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` headers
    (``None`` when absent; an empty id is malformed too); ``body`` the raw
    request bytes. The signature header holds space-separated ``v1,<base64
    HMAC-SHA256>`` and ``v1a,<base64 ed25519>`` values; other versions and
    undecodable values never match.
    ``secret`` is one or more ``whsec_<base64>`` secrets (the prefix is
    optional), ``public_key`` one or more ``whpk_<base64>`` ed25519 public keys;
    one matching signature is enough. Checking ``v1a`` signatures needs the
    ``cryptography`` package. ``now`` defaults to the current unix time.

    Raises a :class:`WebhookVerificationError` subclass when the delivery must
    be rejected, :class:`ValueError` when a secret or public key is not valid
    base64 (or a key not 32 bytes), :class:`ImportError` when public keys are
    given without ``cryptography`` installed; returns ``None`` when the delivery
    is authentic.
    """
    secrets = [secret] if isinstance(secret, str) else list(secret)
    public_keys = [public_key] if isinstance(public_key, str) else list(public_key)
    hmac_keys = [_decode_secret(candidate) for candidate in secrets]
    verifiers = _ed25519_verifiers(public_keys) if public_keys else []

    if not webhook_id:
        raise MalformedHeaderError(f"missing {STANDARD_ID_HEADER} header")
    if timestamp is None or not _TIMESTAMP.fullmatch(timestamp.strip()):
        raise MalformedHeaderError(f"{STANDARD_TIMESTAMP_HEADER} {timestamp!r} is not unix seconds")
    signed_at = int(timestamp.strip())
    if signature is None:
        raise MalformedHeaderError(f"missing {STANDARD_SIGNATURE_HEADER} header")
    signatures = _parse_standard_signatures(signature)
    current = int(time.time()) if now is None else now
    if abs(current - signed_at) > tolerance:
        raise TimestampOutOfToleranceError(
            f"timestamp {signed_at} is more than {tolerance} s away from now ({current})"
        )

    message = f"{webhook_id}.{signed_at}.".encode() + body
    hmacs = [given for version, given in signatures if version == "v1"]
    ed25519s = [given for version, given in signatures if version == "v1a"]
    for key in hmac_keys:
        expected = _standard_digest(key, message)
        if any(hmac.compare_digest(expected, given) for given in hmacs):
            return
    for check in verifiers:
        if any(check(given, message) for given in ed25519s):
            return
    raise SignatureMismatchError("no signature matches the secrets or public keys")


def _parse_standard_signatures(header: str) -> list[tuple[str, bytes]]:
    """Split a ``webhook-signature`` header into (version, decoded signature) pairs.

    Values that are not base64 are dropped: they cannot match anything.
    """
    signatures = []
    parts = header.split()
    if not parts:
        raise MalformedHeaderError(f"{STANDARD_SIGNATURE_HEADER} holds no signature")
    for part in parts:
        version, comma, encoded = part.partition(",")
        if not comma:
            raise MalformedHeaderError(f"{part!r} is not <version>,<base64>")
        decoded = _decode_base64(encoded)
        if decoded is not None:
            signatures.append((version, decoded))
    return signatures


def _decode_base64(text: str) -> bytes | None:
    """Decode padded standard base64, or return ``None`` if ``text`` is not that."""
    if not _BASE64.fullmatch(text):
        return None
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return None


def _decode_secret(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret (the prefix is optional)."""
    key = _decode_base64(secret.removeprefix(_SECRET_PREFIX))
    if not key:
        raise ValueError("a Standard Webhooks secret is whsec_ followed by non-empty base64")
    return key


def _standard_digest(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 of ``f"{id}.{timestamp}." + body``, keyed with the decoded secret."""
    return hmac.new(key, message, hashlib.sha256).digest()


def _ed25519_verifiers(public_keys: Sequence[str]) -> list[Callable[[bytes, bytes], bool]]:
    """One ``check(signature, message) -> bool`` per ``whpk_<base64>`` public key."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError as error:
        raise ImportError(
            "verifying ed25519 (v1a) signatures needs the cryptography package: "
            "pip install cryptography"
        ) from error

    def verifier(public_key: str) -> Callable[[bytes, bytes], bool]:
        raw = _decode_base64(public_key.removeprefix(_PUBLIC_KEY_PREFIX))
        if raw is None or len(raw) != _ED25519_KEY_LENGTH:
            raise ValueError(
                "a Standard Webhooks public key is whpk_ followed by base64 of 32 bytes"
            )
        key = Ed25519PublicKey.from_public_bytes(raw)

        def check(signature: bytes, message: bytes) -> bool:
            try:
                key.verify(signature, message)
            except InvalidSignature:
                return False
            return True

        return check

    return [verifier(public_key) for public_key in public_keys]
