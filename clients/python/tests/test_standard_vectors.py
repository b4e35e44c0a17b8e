"""Runs every case of the Standard Webhooks vectors (tests/vectors/standard_webhooks.json)."""

import base64
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

import webhookd
from webhookd.verify import _decode_secret, _standard_digest


def _load_vectors() -> dict[str, Any]:
    """Read $WEBHOOKD_STANDARD_VECTORS, else the repository's tests/vectors file."""
    default = Path(__file__).resolve().parents[3] / "tests" / "vectors" / "standard_webhooks.json"
    path = Path(os.environ.get("WEBHOOKD_STANDARD_VECTORS") or default)
    vectors: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return vectors


VECTORS = _load_vectors()
_ED25519_MODULES = ("cryptography.exceptions", "cryptography.hazmat.primitives.asymmetric.ed25519")


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [case["name"] for case in cases]


def _without_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import cryptography...`` fail, as when the package is not installed."""
    for module in _ED25519_MODULES:
        monkeypatch.setitem(sys.modules, module, None)


def test_vectors_are_not_empty() -> None:
    assert VECTORS["scheme"] == "standard"
    assert VECTORS["headers"] == {
        "id": webhookd.STANDARD_ID_HEADER,
        "timestamp": webhookd.STANDARD_TIMESTAMP_HEADER,
        "signature": webhookd.STANDARD_SIGNATURE_HEADER,
    }
    assert VECTORS["sign"] and VECTORS["sign_ed25519"] and VECTORS["verify"]


@pytest.mark.parametrize("case", VECTORS["sign"], ids=_ids(VECTORS["sign"]))
def test_sign(case: dict[str, Any]) -> None:
    message = f"{case['id']}.{case['timestamp']}.".encode() + case["body"].encode()
    digest = _standard_digest(_decode_secret(case["secret"]), message)
    assert "v1," + base64.b64encode(digest).decode() == case["expected_signature"]


@pytest.mark.parametrize("case", VECTORS["sign"], ids=_ids(VECTORS["sign"]))
def test_signed_delivery_verifies(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    _without_cryptography(monkeypatch)  # v1 needs the standard library only
    body = case["body"].encode()
    timestamp = str(case["timestamp"])
    signature = case["expected_signature"]
    now = case["timestamp"]
    webhookd.verify_standard(body, case["id"], timestamp, signature, case["secret"], now=now)
    rotated = ["whsec_AAAA", case["secret"].removeprefix("whsec_")]
    webhookd.verify_standard(body, case["id"], timestamp, signature, rotated, now=now)


@pytest.mark.parametrize("case", VECTORS["sign_ed25519"], ids=_ids(VECTORS["sign_ed25519"]))
def test_sign_ed25519(case: dict[str, Any]) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = base64.b64decode(case["private_key"].removeprefix("whsk_"))
    message = f"{case['id']}.{case['timestamp']}.".encode() + case["body"].encode()
    signature = Ed25519PrivateKey.from_private_bytes(seed).sign(message)
    assert "v1a," + base64.b64encode(signature).decode() == case["expected_signature"]
    webhookd.verify_standard(
        case["body"].encode(),
        case["id"],
        str(case["timestamp"]),
        case["expected_signature"],
        public_key=case["public_key"],
        now=case["timestamp"],
    )


@pytest.mark.parametrize("case", VECTORS["verify"], ids=_ids(VECTORS["verify"]))
def test_verify(case: dict[str, Any]) -> None:
    def verify() -> None:
        webhookd.verify_standard(
            case["body"].encode(),
            case["id"],
            case["timestamp_header"],
            case["signature_header"],
            case["secrets"],
            public_key=case.get("public_keys", []),
            tolerance=case["tolerance_seconds"],
            now=case["now"],
        )

    if case["valid"]:
        verify()
    else:
        with pytest.raises(webhookd.WebhookVerificationError) as failure:
            verify()
        assert failure.value.code == case["error"]


def _first_sign_case() -> tuple[bytes, str, str, str, str, int]:
    case = VECTORS["sign"][0]
    timestamp: int = case["timestamp"]
    body = case["body"].encode()
    return body, case["id"], str(timestamp), case["expected_signature"], case["secret"], timestamp


def test_missing_headers_are_malformed() -> None:
    body, webhook_id, timestamp, signature, secret, now = _first_sign_case()
    for headers in [
        (None, timestamp, signature),
        ("", timestamp, signature),
        (webhook_id, None, signature),
    ]:
        with pytest.raises(webhookd.MalformedHeaderError):
            webhookd.verify_standard(body, *headers, secret, now=now)
    for blank in [None, " "]:
        with pytest.raises(webhookd.MalformedHeaderError):
            webhookd.verify_standard(body, webhook_id, timestamp, blank, secret, now=now)


def test_default_now_is_the_current_time() -> None:
    body, webhook_id, timestamp, signature, secret, _ = _first_sign_case()
    with pytest.raises(webhookd.TimestampOutOfToleranceError):
        webhookd.verify_standard(body, webhook_id, timestamp, signature, secret)


def test_no_secret_matches_nothing() -> None:
    body, webhook_id, timestamp, signature, _, now = _first_sign_case()
    with pytest.raises(webhookd.SignatureMismatchError):
        webhookd.verify_standard(body, webhook_id, timestamp, signature, now=now)


def test_invalid_secrets_and_keys_are_programming_errors() -> None:
    body, webhook_id, timestamp, signature, _, now = _first_sign_case()
    for secret in ["whsec_", "whsec_not base64!", "abc"]:
        with pytest.raises(ValueError):
            webhookd.verify_standard(body, webhook_id, timestamp, signature, secret, now=now)
    for key in ["whpk_", "whpk_AAAA", "whpk_not base64!"]:
        with pytest.raises(ValueError):
            webhookd.verify_standard(
                body, webhook_id, timestamp, signature, public_key=key, now=now
            )


def test_public_keys_without_cryptography_say_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_cryptography(monkeypatch)
    case = VECTORS["sign_ed25519"][0]
    with pytest.raises(ImportError, match="pip install cryptography"):
        webhookd.verify_standard(
            case["body"].encode(),
            case["id"],
            str(case["timestamp"]),
            case["expected_signature"],
            public_key=case["public_key"],
            now=case["timestamp"],
        )
