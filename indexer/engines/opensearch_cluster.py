"""The OpenSearch cluster: a client built from Settings, and its failures as our errors.

A cluster out of reach, refusing the credentials, or without the index is
IndexUnavailable to readers (503) and ReindexFailed to a reindex (one line).
"""

from contextlib import contextmanager

try:  # optional: only an installation using this engine needs opensearch-py
    from opensearchpy import AuthenticationException
    from opensearchpy import AuthorizationException
    from opensearchpy import ConnectionError as ClusterConnectionError
    from opensearchpy import NotFoundError
    from opensearchpy import OpenSearch
except ImportError:  # pragma: no cover
    OpenSearch = None
    NotFoundError = ClusterConnectionError = LookupError
    AuthenticationException = AuthorizationException = LookupError

from indexer.errors import ConfigError
from indexer.settings import Settings


def connect(settings: Settings) -> "OpenSearch":
    """A client of the cluster the settings name; TLS certificates verified unless turned off."""
    if OpenSearch is None:
        raise ConfigError("the opensearch engine needs opensearch-py: pip install opensearch-py")
    options = {"verify_certs": settings.opensearch_verify_tls}
    if settings.opensearch_user:
        options["http_auth"] = (settings.opensearch_user, settings.opensearch_password)
    if settings.opensearch_ca_certs is not None:
        if not settings.opensearch_ca_certs.is_file():
            raise ConfigError(f"BAHTH_OPENSEARCH_CA_CERTS: no file {settings.opensearch_ca_certs}")
        options["ca_certs"] = str(settings.opensearch_ca_certs)
    if not settings.opensearch_verify_tls:
        options["ssl_show_warn"] = False  # turned off on purpose, not to be warned on each request
    # Several hosts: a node that is down is marked dead and the request retried on another.
    return OpenSearch(
        hosts=list(settings.opensearch_urls),
        timeout=30,
        max_retries=3,
        retry_on_timeout=True,
        **options,
    )


def missing_index(exc: Exception) -> bool:
    return isinstance(exc, NotFoundError) and exc.error == "index_not_found_exception"


@contextmanager
def cluster_errors(error: type, name: str):
    """The cluster out of reach, refusing us, or without the index: ``error``, one line.

    NOTE: the client's own message is left out: it may name a host with credentials.
    """
    try:
        yield
    except ClusterConnectionError as exc:
        raise error(
            f"the opensearch cluster does not answer ({type(exc).__name__}) for index {name}"
        ) from exc
    except (AuthenticationException, AuthorizationException) as exc:
        raise error(
            f"the opensearch cluster refused our credentials (HTTP {exc.status_code}) "
            f"for index {name}"
        ) from exc
    except NotFoundError as exc:
        if not missing_index(exc):
            raise
        raise error(f"index {name} is not in the opensearch cluster: run `bahth reindex`") from exc
