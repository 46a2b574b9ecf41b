"""The frozen settings for building one binary package's virtualenv."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from dh_venv.errors import DhVenvError

DEFAULT_INSTALL_ROOT = PurePosixPath("/opt/venvs")
DEFAULT_PYTHON = "/usr/bin/python3"
DEFAULT_BIN_DIR = PurePosixPath("/usr/bin")


@dataclass(frozen=True)
class Settings:
    """Everything the core needs to build one package: no argv, and only the cleaned environment (``env``)."""

    #: Binary package name (from debian/control through dh_listpackages).
    package: str
    #: Top of the source package, where ``debian/`` lives (absolute).
    build_dir: Path
    #: The Python project to install (absolute; ``--sourcedirectory``).
    source_dir: Path
    #: The package's staging tree, normally ``debian/<package>`` (absolute).
    staging_root: Path
    #: Directory holding the venvs on the target system.
    install_root: PurePosixPath = DEFAULT_INSTALL_ROOT
    #: Name of the venv under ``install_root`` (``--install-suffix``).
    venv_name: str = ""
    #: Interpreter the venv is built for, before resolving symlinks.
    python: str = DEFAULT_PYTHON
    #: Requirements files relative to ``source_dir``; ``None`` means the default.
    requirements: tuple[str, ...] | None = None
    #: Extras of the application to install.
    extras: tuple[str, ...] = ()
    #: Installed before the requirements and the application.
    preinstall: tuple[str, ...] = ()
    #: Upgrade pip first: ``None`` no, ``""`` to the newest, else to this version.
    upgrade_pip: str | None = None
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    #: Extra arguments for every installer run.
    extra_pip_args: tuple[str, ...] = ()
    #: Extra arguments for virtualenv.
    extra_virtualenv_args: tuple[str, ...] = ()
    #: Install only the requirements, not the project itself.
    skip_install: bool = False
    #: Let the venv see the interpreter's system site-packages.
    use_system_packages: bool = False
    #: Console scripts to link into /usr/bin as (script, link name);
    #: ``None`` means all of the application's own.
    console_scripts: tuple[tuple[str, str], ...] | None = None
    #: Link console scripts into /usr/bin at all.
    expose_scripts: bool = True
    #: Directory for the links.
    bin_dir: PurePosixPath = DEFAULT_BIN_DIR
    #: Emit maintainer-script snippets (``-n`` turns this off).
    maintainer_scripts: bool = True
    #: Run build-time checks (``DEB_BUILD_OPTIONS=nocheck`` turns this off).
    check: bool = True
    #: Strip debug sections of prebuilt extensions (``DEB_BUILD_OPTIONS=nostrip`` turns this off).
    strip: bool = True
    #: Symlinks of the project (relative to it) whose target may lie outside the source tree
    #: (``debian/<package>.venv-links``).
    allow_links: tuple[str, ...] = ()
    #: Shell patterns of venv files (relative to the venv) the build-path scan accepts.
    allow_build_path: tuple[str, ...] = ()
    #: Library packages to move from ``${shlibs:Depends}`` to ``${shlibs:Recommends}``.
    shlibs_recommends: tuple[str, ...] = ()
    #: Library packages to leave out of ``${shlibs:Depends}``.
    shlibs_ignore: tuple[str, ...] = ()
    #: Installer backend name.
    installer: str = "auto"
    #: Lock file relative to ``source_dir`` (``--lock``); ``None`` means found by precedence.
    lock: str | None = None
    #: Look for lock files at all (``--no-lock`` turns this off).
    use_locks: bool = True
    #: Dependency groups of the lock to install (``--group``).
    groups: tuple[str, ...] = ()
    #: Ship pip, setuptools and wheel even when nothing asks for or requires them (``--keep-seed``).
    keep_seed: bool = False
    #: Install only from this directory, touching no index (``--wheelhouse``, ``debian/wheelhouse``).
    wheelhouse: Path | None = None
    #: Ship a CycloneDX bill of materials of the venv in /usr/share/doc/<package> (``--no-sbom`` turns this off).
    sbom: bool = True
    #: Licenses the venv's distributions may have (``--license-allow``); ``None`` means any.
    license_allow: tuple[str, ...] | None = None
    #: Environment of the build, already cleaned of settings that must not leak.
    env: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def final_venv(self) -> PurePosixPath:
        """Where the venv lives on the installed system."""
        return self.install_root / (self.venv_name or self.package)

    @property
    def staging_venv(self) -> Path:
        """Where the venv is built, inside the staging tree."""
        return self.staging_root / str(self.final_venv).lstrip("/")

    @property
    def work_dir(self) -> Path:
        """Scratch space of this package, removed by dh_clean."""
        return work_dir(self.build_dir, self.package)


def work_dir(build_dir: Path, package: str) -> Path:
    """dh_venv's scratch space and state for ``package`` (the sequence steps have no Settings)."""
    return build_dir / "debian" / ".debhelper" / "dh_venv" / package


# Characters a venv path may not hold: shebang lines end at white space,
# dpkg-query -S and find take wildcards as patterns.
_UNSAFE_PATH = re.compile(r"[\s\x00-\x1f\x7f*?\[\]\\]")


def check_venv_path(path: str, package: str) -> None:
    """Refuse a venv path that no shebang line or maintainer script can carry."""
    bad = _UNSAFE_PATH.search(path)
    if bad is None and ".." not in PurePosixPath(path).parts:
        try:
            path.encode("utf-8")
            return
        except UnicodeEncodeError:
            what = "bytes that are not UTF-8"
    else:
        what = f"{bad.group(0)!r}" if bad else "'..'"
    raise DhVenvError(
        f"the venv path {path!r} (--install-root, DH_VENV_INSTALL_ROOT, --install-suffix) holds {what}, "
        "which shebang lines and maintainer scripts cannot carry",
        package=package,
        hint="choose a path of letters, digits and punctuation without white space, wildcards or backslashes",
    )
