"""When and after how long a failed call is sent again: exponential backoff with full jitter."""

import random
from dataclasses import dataclass

import grpc

RETRYABLE_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
"""Failures that a later attempt may not meet: the server was unreachable or too slow."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently retryable calls are sent again.

    Only idempotent calls (reads, enable/disable/update of an endpoint) and
    dispatches that carry an idempotency key are retried, and only after
    ``UNAVAILABLE`` or ``DEADLINE_EXCEEDED``. Before retry ``n`` (1 for the
    first) the client sleeps a random time between 0 and
    ``min(max_backoff, initial_backoff * multiplier ** (n - 1))`` seconds.
    ``max_attempts=1`` disables retries.
    """

    max_attempts: int = 4
    """Attempts in all, the first included."""
    initial_backoff: float = 0.1
    """Seconds: the upper bound of the first delay."""
    max_backoff: float = 2.0
    """Seconds: no delay is longer."""
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.multiplier < 1:
            raise ValueError(f"invalid backoff in {self}")


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(max_attempts=1)


def retry_delay(
    policy: RetryPolicy,
    attempt: int,
    code: grpc.StatusCode,
    retryable: bool,
    rng: random.Random,
) -> float | None:
    """The seconds to wait before sending again a call whose attempt ``attempt`` (1-based)
    failed with ``code``; ``None`` when it must not be sent again."""
    if not retryable or code not in RETRYABLE_CODES or attempt >= policy.max_attempts:
        return None
    ceiling = min(policy.max_backoff, policy.initial_backoff * policy.multiplier ** (attempt - 1))
    return rng.uniform(0, ceiling)
