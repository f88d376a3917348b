"""The name of each fetch failure, which only the crawl side (Scrapy, Twisted) can tell; the
stats keys and run figures are in ``pipelines.runstats``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twisted.python.failure import Failure


# Scrapy's plain IgnoreRequest says only in its message which limit refused a response.
_IGNORED_BECAUSE = (
    ("max redirections", "too_many_redirects"),
    ("download_maxsize", "too_large"),         # a compressed body that inflates past the limit
    ("offsite", "offsite_redirect"),
    ("robots.txt", "robots_txt"),
)


def error_kind(failure: Failure | BaseException) -> str:
    """A short stable name for a fetch failure: ``http_503``, ``timeout``, ``truncated``…"""
    from scrapy import exceptions as scrapy_exc
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as net
    from twisted.python.failure import Failure
    from twisted.web import _newclient as client

    exc = failure.value if isinstance(failure, Failure) else failure
    kinds: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
        ((scrapy_exc.DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError), "timeout"),
        ((scrapy_exc.CannotResolveHostError, net.DNSLookupError), "dns"),
        ((scrapy_exc.DownloadConnectionRefusedError, net.ConnectionRefusedError),
         "connection_refused"),
        ((scrapy_exc.ResponseDataLossError,), "truncated"),
        ((scrapy_exc.DownloadFailedError, net.ConnectionLost, net.ConnectionDone,
          net.ConnectError, client.ResponseNeverReceived, client.ResponseFailed), "connection"),
        # Scrapy cancels a download for one reason: its body passed DOWNLOAD_MAXSIZE.
        ((scrapy_exc.DownloadCancelledError,), "too_large"),
    )
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    for types, kind in kinds:
        if isinstance(exc, types):
            return kind
    if isinstance(exc, scrapy_exc.IgnoreRequest):
        text = str(exc).lower()
        return next((kind for fragment, kind in _IGNORED_BECAUSE if fragment in text), "ignored")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()
