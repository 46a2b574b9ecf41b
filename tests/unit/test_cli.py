"""Tests for dh_venv.cli.main: option parsing, settings and the error exit."""

from __future__ import annotations

import argparse
from pathlib import Path, PurePosixPath
from typing import NoReturn

import pytest

from dh_venv.cli import configure, options, steps
from dh_venv.cli import main as cli
from dh_venv.compiled import setaside
from dh_venv.errors import DhVenvError
from dh_venv.settings import Settings

# parse


def test_plain_options() -> None:
    opts, warnings = options.parse(["-v", "--python=/usr/bin/python3.11", "-pdemo", "--package", "other"], {})
    assert (opts.verbose, opts.python, opts.package, warnings) == (
        True,
        "/usr/bin/python3.11",
        ["demo", "other"],
        [],
    )


def test_o_option_known_is_applied() -> None:
    opts, warnings = options.parse(["-O--python=/x"], {})
    assert (opts.python, warnings) == ("/x", [])


def test_o_option_unknown_is_ignored() -> None:
    opts, warnings = options.parse(["-O--buildsystem=pybuild", "-O--parallel"], {})
    assert (opts.python, opts.verbose, warnings) == (None, False, [])


def test_o_option_with_separate_argument() -> None:
    opts, _ = options.parse(["-O", "--python=/x", "-O", "--buildsystem=pybuild"], {})
    assert opts.python == "/x"


def test_o_option_flag() -> None:
    opts, _ = options.parse(["-O--skip-install", "-O-v"], {})
    assert (opts.skip_install, opts.verbose) == (True, True)


def test_dh_options_unknown_warned_known_applied() -> None:
    opts, warnings = options.parse([], {"DH_OPTIONS": "--frobnicate -v --python=/y -O--buildsystem=pybuild"})
    assert (opts.verbose, opts.python) == (True, "/y")
    assert warnings == ["ignored unknown options in DH_OPTIONS: --frobnicate"]


def test_argv_overrides_dh_options() -> None:
    opts, _ = options.parse(["--python=/b"], {"DH_OPTIONS": "--python=/a"})
    assert opts.python == "/b"


def test_dh_internal_options_split_on_record_separator() -> None:
    environ = {"DH_INTERNAL_OPTIONS": "-a\x1e-O--sourcedirectory=src\x1e-O--buildsystem=pybuild\x1e"}
    opts, warnings = options.parse([], environ)
    assert (opts.internal_selection, opts.sourcedirectory, warnings) == (["-a"], "src", [])


def test_dh_internal_options_selection_kept_apart() -> None:
    environ = {"DH_INTERNAL_OPTIONS": "-pdemo\x1e-i\x1e-N\x1eother\x1e--package=x\x1e-O--skip-install"}
    opts, _ = options.parse(["-Nskipped"], environ)
    assert (opts.package, opts.no_package, opts.indep, opts.skip_install) == ([], ["skipped"], False, True)
    assert opts.internal_selection == ["-pdemo", "-i", "-N", "other", "--package=x"]


def test_incumbent_warning_only_option() -> None:
    opts, warnings = options.parse(["--builtin-venv", "--python=/x"], {})
    assert opts.python == "/x"
    assert warnings == ["--builtin-venv: dh_venv always creates the venv with virtualenv; the option is ignored"]


def test_incumbent_setuptools_with_value_is_warned() -> None:
    _, warnings = options.parse(["--setuptools=yes"], {})
    assert warnings == ["--setuptools: setuptools is always available to builds; the option is ignored"]


def test_incumbent_error_option() -> None:
    with pytest.raises(DhVenvError) as info:
        options.parse(["--setuptools-test"], {})
    assert str(info.value) == (
        "--setuptools-test is a dh-virtualenv option dh_venv does not have; "
        "run the tests after dh_venv in override_dh_venv, with the venv's python"
    )


def test_incumbent_error_option_with_value() -> None:
    with pytest.raises(DhVenvError) as info:
        options.parse(["--pip-tool", "pip-sync"], {})
    assert str(info.value) == (
        "--pip-tool is a dh-virtualenv option dh_venv does not have; use --installer=pip or --installer=uv"
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [([], None), (["--upgrade-pip"], ""), (["--upgrade-pip-to=24.0"], "24.0"), (["-S"], None)],
)
def test_settings_upgrade_pip(tmp_path: Path, argv: list[str], expected: str | None) -> None:
    s = settings(tmp_path, argv)
    assert s.upgrade_pip == expected
    assert s.use_system_packages == (argv == ["-S"])


def test_console_script_values() -> None:
    argv = ["--console-script=demo=demo-cli", "--console-script", "admin", "--console-script=prof=/usr/sbin/prof"]
    opts, _ = options.parse(argv, {})
    assert opts.console_script == [("demo", "demo-cli"), ("admin", "admin"), ("prof", "/usr/sbin/prof")]


@pytest.mark.parametrize(
    "value", ["", "demo=", "=demo", "bin/demo", "demo=bin/demo", "demo=/usr", "demo=/usr/../x", "demo=/usr//x"]
)
def test_bad_console_script_rejected(value: str) -> None:
    with pytest.raises(DhVenvError) as info:
        options.parse([f"--console-script={value}"], {})
    assert str(info.value) == (
        f"argument --console-script: expected NAME, NAME=LINK or NAME=/DIR/LINK, got {value!r}; see dh_venv(1)"
    )


def test_console_script_dir(tmp_path: Path) -> None:
    assert settings(tmp_path, []).bin_dir == PurePosixPath("/usr/bin")
    assert settings(tmp_path, ["--console-script-dir", "/usr/games"]).bin_dir == PurePosixPath("/usr/games")
    for value in ("usr/sbin", "/", "/usr/../sbin", "/usr/sbin/"):
        with pytest.raises(DhVenvError) as info:
            options.parse([f"--console-script-dir={value}"], {})
        assert "expected an absolute directory such as /usr/sbin" in str(info.value)


@pytest.mark.parametrize(
    ("argv", "pip_args", "virtualenv_args"),
    [
        # dh_virtualenv (optparse) takes the next word even when it starts with "-".
        (["--extra-pip-arg", "--no-cache-dir"], ("--no-cache-dir",), ()),
        (["--extra-pip-arg", "--no-cache-dir", "--extra-pip-arg=-q"], ("--no-cache-dir", "-q"), ()),
        (["--extra-virtualenv-arg", "--copies", "-O--extra-pip-arg=-v"], ("-v",), ("--copies",)),
    ],
)
def test_values_starting_with_a_dash(
    tmp_path: Path, argv: list[str], pip_args: tuple[str, ...], virtualenv_args: tuple[str, ...]
) -> None:
    s = settings(tmp_path, argv)
    assert s.extra_pip_args == pip_args
    assert s.extra_virtualenv_args == virtualenv_args


def test_index_urls_and_python_as_separate_words(tmp_path: Path) -> None:
    argv = ["--index-url", "-", "--extra-index-url", "--x", "--python", "/usr/bin/python3", "--install-suffix", "app"]
    s = settings(tmp_path, argv)
    assert (s.index_url, s.extra_index_urls, s.python, s.venv_name) == ("-", ("--x",), "/usr/bin/python3", "app")


def test_option_value_missing_at_the_end() -> None:
    with pytest.raises(DhVenvError) as info:
        options.parse(["--extra-pip-arg"], {})
    assert str(info.value) == "argument --extra-pip-arg: expected one argument; see dh_venv(1)"


def test_unknown_option_is_an_error() -> None:
    with pytest.raises(DhVenvError) as info:
        options.parse(["--frobnicate"], {})
    assert str(info.value) == "unrecognized arguments: --frobnicate; see dh_venv(1)"


def argparse_says(argv: list[str], **argument: object) -> str:
    """What this Python's argparse says about ``argv`` (its wording differs between releases)."""

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise ValueError(message)

    parser = Parser()
    parser.add_argument("--installer", **argument)  # type: ignore[arg-type]
    with pytest.raises(ValueError) as info:
        parser.parse_args(argv)
    return str(info.value)


def test_unknown_installer_is_an_error() -> None:
    with pytest.raises(DhVenvError) as info:
        options.parse(["--installer=conda"], {})
    said = argparse_says(["--installer=conda"], choices=["pip", "uv", "auto"])
    assert said.startswith("argument --installer: invalid choice: ") and "conda" in said
    assert str(info.value) == f"{said}; see dh_venv(1)"


def test_installer_uv_is_a_setting(tmp_path: Path) -> None:
    assert settings(tmp_path, ["--installer=uv"]).installer == "uv"


# settings_for


def settings(tmp_path: Path, argv: list[str], environ: dict[str, str] | None = None) -> Settings:
    env = environ or {}
    opts, _ = options.parse(argv, env)
    return configure.settings_for("demo", opts, env, tmp_path, {"PATH": "/usr/bin:/bin"})


def test_settings_defaults(tmp_path: Path) -> None:
    s = settings(tmp_path, [])
    assert s == Settings(
        package="demo",
        build_dir=tmp_path,
        source_dir=tmp_path,
        staging_root=tmp_path / "debian/demo",
        install_root=PurePosixPath("/opt/venvs"),
        venv_name="demo",
        python="/usr/bin/python3",
    )
    assert s.final_venv == PurePosixPath("/opt/venvs/demo")
    assert s.staging_venv == tmp_path / "debian/demo/opt/venvs/demo"
    assert s.env == {"PATH": "/usr/bin:/bin"}


def test_settings_options(tmp_path: Path) -> None:
    s = settings(
        tmp_path,
        [
            "--sourcedirectory=src",
            "-Pdebian/tmp-demo",
            "--install-suffix=demo-app",
            "--python=/usr/bin/python3.11",
            "--requirements=requirements/base.txt",
            "--preinstall=setuptools>=68",
            "--index-url=https://pypi.example.org/simple",
            "--extra-index-url=https://extra.example.org/simple",
            "--extra-virtualenv-arg=--symlinks",
            "--skip-install",
            "--use-system-packages",
            "--console-script=demo=demo-cli",
            "--no-console-scripts",
            "-n",
        ],
    )
    assert s == Settings(
        package="demo",
        build_dir=tmp_path,
        source_dir=tmp_path / "src",
        staging_root=tmp_path / "debian/tmp-demo",
        venv_name="demo-app",
        python="/usr/bin/python3.11",
        requirements=("requirements/base.txt",),
        preinstall=("setuptools>=68",),
        index_url="https://pypi.example.org/simple",
        extra_index_urls=("https://extra.example.org/simple",),
        extra_virtualenv_args=("--symlinks",),
        skip_install=True,
        use_system_packages=True,
        console_scripts=(("demo", "demo-cli"),),
        expose_scripts=False,
        maintainer_scripts=False,
    )
    assert s.final_venv == PurePosixPath("/opt/venvs/demo-app")


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        ([], {"DH_VENV_INSTALL_ROOT": "/srv/venvs"}, "/srv/venvs"),
        ([], {"DH_VIRTUALENV_INSTALL_ROOT": "/usr/share/venvs"}, "/usr/share/venvs"),
        ([], {"DH_VENV_INSTALL_ROOT": "/srv/venvs", "DH_VIRTUALENV_INSTALL_ROOT": "/usr/share/venvs"}, "/srv/venvs"),
        (["--install-root=/usr/lib/demo"], {"DH_VENV_INSTALL_ROOT": "/srv/venvs"}, "/usr/lib/demo"),
        ([], {"DH_VENV_INSTALL_ROOT": ""}, "/opt/venvs"),
    ],
)
def test_settings_install_root(tmp_path: Path, argv: list[str], environ: dict[str, str], expected: str) -> None:
    assert settings(tmp_path, argv, environ).install_root == PurePosixPath(expected)


@pytest.mark.parametrize(
    ("argv", "environ"),
    [(["--install-root=venvs"], {}), ([], {"DH_VENV_INSTALL_ROOT": "opt/venvs"})],
)
def test_settings_relative_install_root_rejected(tmp_path: Path, argv: list[str], environ: dict[str, str]) -> None:
    with pytest.raises(DhVenvError) as info:
        settings(tmp_path, argv, environ)
    root = argv[0].split("=")[1] if argv else environ["DH_VENV_INSTALL_ROOT"]
    assert str(info.value) == f"install root {root} is not an absolute path; fix --install-root"


@pytest.mark.parametrize("suffix", ["", "a/b"])
def test_settings_bad_install_suffix(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(DhVenvError) as info:
        settings(tmp_path, [f"--install-suffix={suffix}"])
    assert str(info.value) == f"demo: --install-suffix {suffix!r} is not a directory name; give a plain name"


@pytest.mark.parametrize(
    ("build_options", "check"),
    [("", True), ("nocheck", False), ("parallel=4 nodoc  nocheck", False), ("nocheckfoo", True), ("nodoc", True)],
)
def test_settings_nocheck(tmp_path: Path, build_options: str, check: bool) -> None:
    assert settings(tmp_path, [], {"DEB_BUILD_OPTIONS": build_options}).check is check


def test_settings_pip_args_env_after_options(tmp_path: Path) -> None:
    s = settings(
        tmp_path,
        ["--extra-pip-arg=--no-binary=:all:", "--extra-pip-arg=--only-binary=lxml"],
        {"DH_VENV_PIP_ARGS": "--prefer-binary --timeout '60'"},
    )
    assert s.extra_pip_args == ("--no-binary=:all:", "--only-binary=lxml", "--prefer-binary", "--timeout", "60")


def test_settings_extras_split_and_joined(tmp_path: Path) -> None:
    assert settings(tmp_path, ["--extras", "a, b,", "--extras=c"]).extras == ("a", "b", "c")


def test_settings_absolute_tmpdir_kept(tmp_path: Path) -> None:
    assert settings(tmp_path, ["-P", "/srv/stage"]).staging_root == Path("/srv/stage")


# main


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DH_OPTIONS", "DH_INTERNAL_OPTIONS", "DH_VERBOSE", "DH_NO_ACT"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("clean_env")
def test_main_without_debian_control(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main([]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"dh_venv: error: {tmp_path}/debian/control not found; run dh_venv from the top of the source package\n"
    )


@pytest.mark.usefixtures("clean_env")
def test_main_prints_warnings_before_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--builtin-venv"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "dh_venv: warning: --builtin-venv: dh_venv always creates the venv with virtualenv; the option is ignored",
        f"dh_venv: error: {tmp_path}/debian/control not found; run dh_venv from the top of the source package",
    ]


@pytest.mark.usefixtures("clean_env")
def test_main_bad_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--frobnicate"]) == 1
    assert capsys.readouterr().err == "dh_venv: error: unrecognized arguments: --frobnicate; see dh_venv(1)\n"


CONTROL = """\
Source: demo
Section: python
Priority: optional
Maintainer: Demo Maintainer <demo@example.org>
Build-Depends: debhelper-compat (= 13)
Standards-Version: 4.6.2

Package: demo-a
Architecture: all
Description: first
 First package.

Package: demo-b
Architecture: all
Description: second
 Second package.
"""


@pytest.mark.usefixtures("clean_env")
def test_main_tmpdir_with_two_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian/control").write_text(CONTROL)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["-Pdebian/tmp"]) == 1
    assert capsys.readouterr().err == (
        "dh_venv: error: source package demo: -P/--tmpdir works with one package only; add -p<package>\n"
    )
    # Nothing but dh_listpackages' answer, kept for the later steps (dh_clean removes debian/.debhelper).
    made = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "debian").rglob("*") if p.is_file())
    assert made == ["debian/.debhelper/dh_venv/dh_listpackages.json", "debian/control"]


@pytest.mark.usefixtures("clean_env")
def test_main_error_names_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian/control").write_text(CONTROL)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["-pdemo-b"]) == 1
    assert capsys.readouterr().err == (
        f"dh_venv: error: demo-b: no Python project in {tmp_path}: none of pyproject.toml, setup.py, setup.cfg found; "
        "point --sourcedirectory at the project, or use --skip-install to install only requirements\n"
    )


CONTROL_DOC = (
    CONTROL
    + """
Package: demo-any
Architecture: any
Description: third
 Third package.

Package: demo-doc
Architecture: all
Description: documentation
 Documentation.
"""
)


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    ("argv", "internal", "expected"),
    [
        # binary-indep runs override_dh_venv with -i: a -p of an arch-any package acts on nothing.
        (["-pdemo-any"], "-i", []),
        (["-pdemo-a"], "-i", ["demo-a"]),
        (["-pdemo-a", "-pdemo-any"], "-a", ["demo-any"]),
        # documentation packages get no venv unless -p names them
        ([], "", ["demo-a", "demo-b", "demo-any"]),
        (["-Ndemo-a"], "-i", ["demo-b"]),
        (["-pdemo-doc"], "", ["demo-doc"]),
    ],
)
def test_main_package_selection(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    internal: str,
    expected: list[str],
) -> None:
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian/control").write_text(CONTROL_DOC)
    monkeypatch.chdir(tmp_path)
    if internal:
        monkeypatch.setenv("DH_INTERNAL_OPTIONS", internal)
    assert cli.main(["--no-act", "--skip-install", *argv]) == 0
    err = capsys.readouterr().err
    # --no-act announces the venv it would create for each selected package.
    made = [p for p in ("demo-a", "demo-b", "demo-any", "demo-doc") if f"/opt/venvs/{p}\n" in err]
    assert made == expected, err


@pytest.mark.usefixtures("clean_env")
def test_steps_keep_dh_selection_of_override_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # dh_venv_setaside run from an override target of a binary-indep build acts on arch-all packages only.
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian/control").write_text(CONTROL_DOC)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DH_INTERNAL_OPTIONS", "-i")
    seen: list[str] = []
    monkeypatch.setattr(setaside, "set_aside", lambda build_dir, package, runner, notes: seen.append(package))
    assert steps.main("setaside", ["-pdemo-a", "-pdemo-any"]) == 0
    assert seen == ["demo-a"]


def test_dh_options_unknown_token_does_not_eat_known_argument() -> None:
    opts, _ = options.parse([], {"DH_OPTIONS": "--frobnicate demo -p demo"})
    assert opts.package == ["demo"]


@pytest.mark.parametrize("suffix", [".", ".."])
def test_settings_dot_install_suffix_rejected(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(DhVenvError) as info:
        settings(tmp_path, [f"--install-suffix={suffix}"])
    assert str(info.value) == f"demo: --install-suffix {suffix!r} is not a directory name; give a plain name"


@pytest.mark.parametrize(
    ("argv", "final"),
    [(["--install-root=/usr", "--install-suffix=lib"], "/usr/lib"), (["--install-root=/"], "/demo")],
)
def test_settings_refuse_shared_or_shallow_venv_dirs(tmp_path: Path, argv: list[str], final: str) -> None:
    with pytest.raises(DhVenvError) as info:
        settings(tmp_path, argv)
    assert str(info.value).startswith(f"the venv would be {final}, a directory other packages share;")


def test_deprecated_dh_virtualenv_options(tmp_path: Path) -> None:
    opts, warnings = options.parse(["--no-test", "--pypi-url", "https://pypi.example.org/simple/"], {})
    assert warnings == ["--no-test: it had no effect in dh-virtualenv either; the option is ignored"]
    assert opts.index_url == "https://pypi.example.org/simple/"


@pytest.mark.parametrize(
    ("argv", "environ", "path", "what"),
    [
        (["--install-suffix=a b"], {}, "/opt/venvs/a b", "' '"),
        (["--install-suffix=a*"], {}, "/opt/venvs/a*", "'*'"),
        ([], {"DH_VENV_INSTALL_ROOT": "/opt/x\\y"}, "/opt/x\\y/demo", "'\\\\'"),
        (["--install-root=/opt/../etc"], {}, "/opt/../etc/demo", "'..'"),
        (["--install-suffix=a\tb"], {}, "/opt/venvs/a\tb", "'\\t'"),
    ],
)
def test_settings_venv_path_unsafe_characters(
    tmp_path: Path, argv: list[str], environ: dict[str, str], path: str, what: str
) -> None:
    with pytest.raises(DhVenvError) as info:
        settings(tmp_path, argv, environ)
    assert str(info.value) == (
        f"demo: the venv path {path!r} (--install-root, DH_VENV_INSTALL_ROOT, --install-suffix) holds {what}, "
        "which shebang lines and maintainer scripts cannot carry; choose a path of letters, digits and "
        "punctuation without white space, wildcards or backslashes"
    )


def test_settings_venv_path_shell_syntax_is_allowed(tmp_path: Path) -> None:
    # Quoted in every maintainer script (tests/unit/test_autoscripts.py).
    got = settings(tmp_path, ["--install-suffix=a$(id);`id`'\""], {"DH_VENV_INSTALL_ROOT": "/opt/$HOME"})
    assert str(got.final_venv) == "/opt/$HOME/a$(id);`id`'\""
