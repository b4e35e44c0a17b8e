"""Runs every case of the shared signature vectors (tests/vectors/signatures.json)."""

import json
import os
from pathlib import Path
from typing import Any

import pytest

import webhookd


def _load_vectors() -> dict[str, Any]:
    """Read the vectors from $WEBHOOKD_VECTORS, else from the repository's tests/vectors."""
    default = Path(__file__).resolve().parents[3] / "tests" / "vectors" / "signatures.json"
    path = Path(os.environ.get("WEBHOOKD_VECTORS") or default)
    vectors: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return vectors


VECTORS = _load_vectors()


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [case["name"] for case in cases]


def test_vectors_are_not_empty() -> None:
    assert VECTORS["scheme"] == "webhookd"
    assert VECTORS["sign"] and VECTORS["verify"]


@pytest.mark.parametrize("case", VECTORS["sign"], ids=_ids(VECTORS["sign"]))
def test_sign(case: dict[str, Any]) -> None:
    body = case["body"].encode()
    assert webhookd.sign(case["secret"], case["timestamp"], body) == case["expected_signature"]


@pytest.mark.parametrize("case", VECTORS["sign"], ids=_ids(VECTORS["sign"]))
def test_signed_delivery_verifies(case: dict[str, Any]) -> None:
    body = case["body"].encode()
    headers = {
        "x-webhook-id": case["id"],
        "x-webhook-timestamp": str(case["timestamp"]),
        "X-WEBHOOK-SIGNATURE": case["expected_signature"],
    }
    webhookd.verify(body, headers, case["secret"], now=case["timestamp"])
    webhookd.verify(body, headers, ["rotated-out", case["secret"]], now=case["timestamp"])


@pytest.mark.parametrize("case", VECTORS["verify"], ids=_ids(VECTORS["verify"]))
def test_verify(case: dict[str, Any]) -> None:
    headers = {
        webhookd.TIMESTAMP_HEADER: case["timestamp_header"],
        webhookd.SIGNATURE_HEADER: case["signature_header"],
    }

    def verify() -> None:
        webhookd.verify(
            case["body"].encode(),
            headers,
            case["secret"],
            tolerance=case["tolerance_seconds"],
            now=case["now"],
        )

    if case["valid"]:
        verify()
    else:
        with pytest.raises(webhookd.WebhookVerificationError) as failure:
            verify()
        assert failure.value.code == case["error"]


def test_missing_headers_are_malformed() -> None:
    with pytest.raises(webhookd.MalformedHeaderError):
        webhookd.verify(b"{}", {webhookd.TIMESTAMP_HEADER: "0"}, "s", now=0)
    with pytest.raises(webhookd.MalformedHeaderError):
        webhookd.verify(
            b"{}", {webhookd.SIGNATURE_HEADER: webhookd.sign("s", 0, b"{}")}, "s", now=0
        )


def test_default_now_is_the_current_time() -> None:
    headers = {
        webhookd.TIMESTAMP_HEADER: "0",
        webhookd.SIGNATURE_HEADER: webhookd.sign("s", 0, b"{}"),
    }
    with pytest.raises(webhookd.TimestampOutOfToleranceError):
        webhookd.verify(b"{}", headers, "s")
