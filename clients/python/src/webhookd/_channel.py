"""Channels to webhookd: TLS unless the host is a loopback address, and per-call defaults.

The API key and the default deadlines are added by channel interceptors, so
that calls made through the raw stub get them too.
"""

import collections
import ipaddress
from collections.abc import Callable, Sequence
from typing import Any

import grpc
import grpc.aio

from webhookd._version import __version__

Metadata = tuple[tuple[str, str], ...]

_CHANNEL_OPTIONS = [("grpc.primary_user_agent", f"webhookd-python/{__version__}")]


def is_loopback(address: str) -> bool:
    """Whether ``address`` ("host:port", "[v6]:port", "unix:path") stays on this machine.

    Loopback means 127.0.0.0/8, ::1, "localhost" and Unix sockets.
    """
    if address.startswith(("unix:", "unix-abstract:")):
        return True
    target = address.removeprefix("dns:///").removeprefix("ipv4:").removeprefix("ipv6:")
    if target.startswith("["):
        host = target[1 : target.find("]")]
    elif target.count(":") == 1:
        host = target.rsplit(":", 1)[0]
    else:
        host = target  # a bare host, or a bare IPv6 address
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def credentials(
    address: str,
    tls: bool | None,
    root_certificates: bytes | None,
    client_certificate: bytes | None,
    client_key: bytes | None,
) -> grpc.ChannelCredentials | None:
    """The TLS credentials of a channel to ``address``, or ``None`` for plaintext.

    ``tls=None`` means TLS unless the address is a loopback one.
    """
    use_tls = tls if tls is not None else not is_loopback(address)
    if not use_tls:
        if root_certificates or client_certificate or client_key:
            raise ValueError(
                "TLS certificates were given but TLS is off (tls=False or a loopback address)"
            )
        return None
    if (client_certificate is None) != (client_key is None):
        raise ValueError("mTLS needs both client_certificate and client_key")
    return grpc.ssl_channel_credentials(
        root_certificates=root_certificates,
        private_key=client_key,
        certificate_chain=client_certificate,
    )


def auth_metadata(api_key: str | None) -> Metadata:
    return (("authorization", f"Bearer {api_key}"),) if api_key else ()


class _CallDetails(
    collections.namedtuple(
        "_CallDetails",
        ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression"),
    ),
    grpc.ClientCallDetails,
):
    """The details of a sync call, with our defaults filled in."""


class CallDefaults(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Adds the API key to every call, and a deadline to calls that set none."""

    def __init__(
        self, metadata: Metadata, timeout: float | None, stream_timeout: float | None
    ) -> None:
        self._metadata = metadata
        self._timeout = timeout
        self._stream_timeout = stream_timeout

    def _details(
        self, details: grpc.ClientCallDetails, default_timeout: float | None
    ) -> _CallDetails:
        return _CallDetails(
            details.method,
            details.timeout if details.timeout is not None else default_timeout,
            tuple(details.metadata or ()) + self._metadata,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(
        self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, request: Any
    ) -> Any:
        return continuation(self._details(details, self._timeout), request)

    def intercept_unary_stream(
        self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, request: Any
    ) -> Any:
        return continuation(self._details(details, self._stream_timeout), request)


def sync_channel(
    address: str,
    creds: grpc.ChannelCredentials | None,
    defaults: CallDefaults,
) -> tuple[grpc.Channel, grpc.Channel]:
    """The channel to close, and the intercepted channel to call through."""
    if creds is None:
        channel = grpc.insecure_channel(address, options=_CHANNEL_OPTIONS)
    else:
        channel = grpc.secure_channel(address, creds, options=_CHANNEL_OPTIONS)
    return channel, grpc.intercept_channel(channel, defaults)


class _AsyncDefaults:
    """The asyncio counterpart of :class:`CallDefaults`."""

    def __init__(self, metadata: Metadata, timeout: float | None) -> None:
        self._metadata = metadata
        self._timeout = timeout

    def details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        return grpc.aio.ClientCallDetails(
            details.method,
            details.timeout if details.timeout is not None else self._timeout,
            grpc.aio.Metadata(*tuple(details.metadata or ()), *self._metadata),
            details.credentials,
            details.wait_for_ready,
        )


class AsyncUnaryDefaults(_AsyncDefaults, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(
        self, continuation: Callable[..., Any], details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        return await continuation(self.details(details), request)


class AsyncStreamDefaults(_AsyncDefaults, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(
        self, continuation: Callable[..., Any], details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        return await continuation(self.details(details), request)


def async_channel(
    address: str,
    creds: grpc.ChannelCredentials | None,
    metadata: Metadata,
    timeout: float | None,
    stream_timeout: float | None,
) -> grpc.aio.Channel:
    interceptors: Sequence[grpc.aio.ClientInterceptor] = [
        AsyncUnaryDefaults(metadata, timeout),
        AsyncStreamDefaults(metadata, stream_timeout),
    ]
    if creds is None:
        return grpc.aio.insecure_channel(
            address, options=_CHANNEL_OPTIONS, interceptors=interceptors
        )
    return grpc.aio.secure_channel(
        address, creds, options=_CHANNEL_OPTIONS, interceptors=interceptors
    )
