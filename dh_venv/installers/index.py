"""The package index as every backend reaches it: credentials from the environment, a quick reachability check."""

from __future__ import annotations

import re
import socket
import urllib.parse
from collections.abc import Mapping

from dh_venv.errors import DhVenvError
from dh_venv.inputs.values import Sources
from dh_venv.runner import redact

#: The index when none is named.
PYPI = "https://pypi.org/simple"

_CREDENTIAL_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_url(url: str, env: Mapping[str, str]) -> str:
    """Expand ``${VAR}`` in an index URL from the build environment (a token kept out of debian/rules)."""

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in env:
            raise DhVenvError(
                f"the index URL {url} names ${{{match.group(1)}}}, which is not set",
                hint=f"export {match.group(1)} in the build environment",
            )
        return urllib.parse.quote(env[match.group(1)], safe="")

    return _CREDENTIAL_VAR.sub(value, url)


def source_args(sources: Sources, env: Mapping[str, str]) -> list[str]:
    """``sources`` as the options pip and ``uv pip`` share, credentials expanded."""
    if sources.wheelhouse is not None:
        return ["--no-index", "--find-links", str(sources.wheelhouse)]
    args = ["--index-url", expand_url(sources.index_url, env)] if sources.index_url else []
    for url in sources.extra_index_urls:
        args += ["--extra-index-url", expand_url(url, env)]
    return args


def check_reachable(sources: Sources, env: Mapping[str, str], timeout: float = 5.0) -> None:
    """Fail within seconds when the index cannot be reached, instead of after the installer's retries."""
    url = expand_url(sources.index_url or PYPI, env)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return
    proxy = _proxy_for(parts.scheme, parts.hostname, env)
    target = urllib.parse.urlsplit(proxy) if proxy else parts
    host = target.hostname or parts.hostname
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        via = f" through the proxy {redact(proxy)}" if proxy else ""
        raise DhVenvError(
            f"cannot reach the package index {redact(url)}{via} ({exc.strerror or exc})",
            hint="this build has no network: run `dh-venv vendor` once in the source tree with network "
            "(it fills debian/wheelhouse/, which dh_venv then uses without any index), "
            "or name a wheelhouse with --wheelhouse or DH_VENV_WHEELHOUSE",
        ) from None


def _proxy_for(scheme: str, host: str, env: Mapping[str, str]) -> str | None:
    lower = {k.lower(): v for k, v in env.items()}
    no_proxy = [h.strip().lstrip(".") for h in lower.get("no_proxy", "").split(",") if h.strip()]
    if "*" in no_proxy or any(host == h or host.endswith("." + h) for h in no_proxy):
        return None
    return lower.get(f"{scheme}_proxy") or lower.get("all_proxy") or None
