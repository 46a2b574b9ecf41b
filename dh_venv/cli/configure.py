"""From parsed options and the environment to one frozen :class:`~dh_venv.settings.Settings` per package.

The rules that no single option states live here: the install root from
``DH_VENV_INSTALL_ROOT``, a venv that purge may remove, ``nocheck`` from
``DEB_BUILD_OPTIONS``, ``DH_VENV_PIP_ARGS``, the default wheelhouse.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from dh_venv.cli.options import split_list, split_words
from dh_venv.debhelper import files as debhelper
from dh_venv.errors import DhVenvError
from dh_venv.inputs import wheelhouse
from dh_venv.settings import DEFAULT_BIN_DIR, DEFAULT_INSTALL_ROOT, DEFAULT_PYTHON, Settings, check_venv_path

# postrm removes the venv directory on purge, so the venv may be neither a
# top-level directory (checked by depth) nor one of these shared ones.
_SHARED_DIRS = {
    *(f"/usr/{d}" for d in ("bin", "sbin", "lib", "lib64", "libexec", "share", "include", "src", "local", "games")),
    *(f"/usr/local/{d}" for d in ("bin", "sbin", "lib", "share", "include", "src", "etc")),
    *(f"/var/{d}" for d in ("lib", "cache", "log", "opt", "local")),
    "/usr/lib/python3",
}


def _venv_location(package: str, opts: argparse.Namespace, environ: Mapping[str, str]) -> tuple[PurePosixPath, str]:
    """The install root and the venv's directory name, checked."""
    root = opts.install_root or environ.get("DH_VENV_INSTALL_ROOT") or environ.get("DH_VIRTUALENV_INSTALL_ROOT")
    install_root = PurePosixPath(root) if root else DEFAULT_INSTALL_ROOT
    if not install_root.is_absolute():
        raise DhVenvError(f"install root {install_root} is not an absolute path", hint="fix --install-root")
    name = opts.install_suffix if opts.install_suffix is not None else package
    if not name or "/" in name or name in (".", ".."):
        raise DhVenvError(
            f"--install-suffix {name!r} is not a directory name", package=package, hint="give a plain name"
        )
    final = install_root / name
    check_venv_path(str(final), package)
    if str(final) in _SHARED_DIRS or len(final.parts) < 3:
        raise DhVenvError(
            f"the venv would be {final}, a directory other packages share; purging would remove it",
            hint="choose a dedicated directory with --install-root and --install-suffix",
        )
    return install_root, name


def settings_for(
    package: str, opts: argparse.Namespace, environ: Mapping[str, str], build_dir: Path, env: dict[str, str]
) -> Settings:
    """The settings for one package from parsed options and the environment."""
    install_root, name = _venv_location(package, opts, environ)
    staging = Path(opts.tmpdir) if opts.tmpdir else build_dir / "debian" / package
    build_options = environ.get("DEB_BUILD_OPTIONS", "").split()
    extras = [e for value in opts.extras for e in split_list(value)]
    pip_args = [*opts.extra_pip_arg, *split_words("DH_VENV_PIP_ARGS", environ.get("DH_VENV_PIP_ARGS", ""))]
    return Settings(
        package=package,
        build_dir=build_dir,
        source_dir=(build_dir / (opts.sourcedirectory or ".")).resolve(),
        staging_root=(build_dir / staging).resolve() if not staging.is_absolute() else staging,
        install_root=install_root,
        venv_name=name,
        python=opts.python or DEFAULT_PYTHON,
        requirements=tuple(opts.requirements) if opts.requirements is not None else None,
        extras=tuple(extras),
        preinstall=tuple(opts.preinstall),
        upgrade_pip=opts.upgrade_pip_to or ("" if opts.upgrade_pip else None),
        index_url=opts.index_url,
        extra_index_urls=tuple(opts.extra_index_url),
        extra_pip_args=tuple(pip_args),
        extra_virtualenv_args=tuple(opts.extra_virtualenv_arg),
        skip_install=opts.skip_install,
        use_system_packages=opts.use_system_packages,
        console_scripts=tuple(opts.console_script) if opts.console_script else None,
        expose_scripts=not opts.no_console_scripts,
        bin_dir=opts.console_script_dir or DEFAULT_BIN_DIR,
        maintainer_scripts=not opts.no_scripts,
        check="nocheck" not in build_options,
        strip="nostrip" not in build_options,
        shlibs_recommends=tuple(p for v in opts.shlibs_recommends for p in split_list(v)),
        shlibs_ignore=tuple(p for v in opts.shlibs_ignore for p in split_list(v)),
        installer=opts.installer,
        allow_build_path=tuple(opts.allow_build_path),
        allow_links=tuple(debhelper.venv_links(build_dir, package)),
        lock=opts.lock,
        use_locks=not opts.no_lock,
        keep_seed=opts.keep_seed,
        sbom=not opts.no_sbom,
        license_allow=_license_allow(opts),
        groups=tuple(g for value in opts.group for g in split_list(value)),
        wheelhouse=wheelhouse.wheelhouse_for(build_dir, opts.wheelhouse or environ.get("DH_VENV_WHEELHOUSE")),
        env=env,
    )


def _license_allow(opts: argparse.Namespace) -> tuple[str, ...] | None:
    """The ``--license-allow`` lists as one; None when not given (any license goes)."""
    if opts.license_allow is None:
        return None
    return tuple(x for value in opts.license_allow for x in split_list(value))


def selection(opts: argparse.Namespace) -> list[str]:
    args = [f"-p{p}" for p in opts.package] + [f"-N{p}" for p in opts.no_package]
    if opts.arch:
        args.append("-a")
    if opts.indep:
        args.append("-i")
    return args


def literal_credentials(urls: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """Warnings for index URLs that carry a password as it is, which make echoed into the build log.

    A password that is the value of an environment variable came from the
    shell expanding ``$${VAR}``: make printed the variable, not its value.
    """
    from urllib.parse import urlsplit

    warnings = []
    for url in urls:
        try:
            password = urlsplit(url).password
        except ValueError:
            continue
        expanded = password in environ.values()
        if password and not expanded and not re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}", password):
            shown = url.replace(password, "****", 1)
            warnings.append(
                f"the index URL {shown} holds a password as it is, which make has printed into the build log; "
                "write it as $${VAR} in debian/rules and set VAR in the build environment"
            )
    return warnings
