"""The dpkg-deb compressor both builds and the floor use (--compressor TYPE[:LEVEL])."""

from __future__ import annotations

from collections.abc import Mapping

# dpkg-deb's compressors and their levels (dpkg-deb(1), -Z and -z); none has no level.
COMPRESSOR_LEVELS: dict[str, tuple[int, int] | None] = {"gzip": (0, 9), "xz": (0, 9), "zstd": (0, 22), "none": None}


def compressor_env(value: str) -> dict[str, str]:
    """The dpkg-deb variables for --compressor TYPE[:LEVEL] (dpkg >= 1.21.10 reads them).

    dh_builddeb passes no -Z or -z for a .deb, so dpkg-deb takes both from
    the environment.
    """
    kind, sep, level = value.partition(":")
    if kind not in COMPRESSOR_LEVELS:
        raise ValueError(f"unknown compressor '{kind}'; choose from {', '.join(COMPRESSOR_LEVELS)}")
    env = {"DPKG_DEB_COMPRESSOR_TYPE": kind}
    if sep:
        bounds = COMPRESSOR_LEVELS[kind]
        if bounds is None:
            raise ValueError(f"compressor '{kind}' takes no level")
        if not level.isdigit() or not bounds[0] <= int(level) <= bounds[1]:
            raise ValueError(f"{kind} level must be a number from {bounds[0]} to {bounds[1]}, not '{level}'")
        env["DPKG_DEB_COMPRESSOR_LEVEL"] = str(int(level))
    return env


def compressor_label(env: Mapping[str, str]) -> str:
    """How the .debs are compressed, from compressor_env() (empty: the default)."""
    if not env:
        return "dh_builddeb's default (dpkg-deb's: xz, level 6)"
    kind = env["DPKG_DEB_COMPRESSOR_TYPE"]
    level = env.get("DPKG_DEB_COMPRESSOR_LEVEL")
    settings = " ".join(f"{k}={v}" for k, v in env.items())
    return f"{kind}{f' level {level}' if level else ''} ({settings})"
