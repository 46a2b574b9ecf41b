"""dh-venv migrate's rewriting, on real files in tmp_path (no resolution: --no-resolve)."""

from __future__ import annotations

import os
from pathlib import Path
from textwrap import dedent

import pytest

from dh_venv.cli import frontend
from dh_venv.migration import commands, control, options, sources, words


def test_split_comment_keeps_hashes_inside_words_and_quotes() -> None:
    assert words.split_comment("dh_virtualenv # run it") == ("dh_virtualenv ", "# run it")
    assert words.split_comment('echo "a # b" x') == ('echo "a # b" x', "")
    assert words.split_comment("url=http://x/#frag y") == ("url=http://x/#frag y", "")
    assert words.split_comment("$(shell echo '#') z #c") == ("$(shell echo '#') z ", "#c")


def test_spans_keep_make_calls_whole() -> None:
    code = '--python=$(shell readlink -e /usr/bin/python3) --x "a b"'
    assert [code[s:e] for s, e in words.spans(code)] == [
        "--python=$(shell readlink -e /usr/bin/python3)",
        "--x",
        '"a b"',
    ]


RULES = dedent(
    """\
    #!/usr/bin/make -f
    # Built with dh_virtualenv, see https://github.com/spotify/dh-virtualenv
    export DH_VIRTUALENV_INSTALL_ROOT=/srv/venvs
    PY := $(shell readlink -e /usr/bin/python3)

    %:
    \tdh $@ --with python3,python-virtualenv --buildsystem=pybuild

    override_dh_virtualenv-arch:
    \tdh_virtualenv --builtin-venv --python=$(PY) --pypi-url=https://pypi.example.org/simple \\
    \t    --extra-pip-arg "--no-cache-dir" \\
    \t    --setuptools
    \techo "see https://example.org/dh_virtualenv.html"

    override_dh_gencontrol:
    \tdh_gencontrol -- -Vpython:Version=python3.11 -Vother=1
    """
)


def test_rules_rewritten_where_code_and_only_there() -> None:
    result = commands.rewrite(RULES, "debian/rules")
    assert result.text == dedent(
        """\
        #!/usr/bin/make -f
        # Built with dh_virtualenv, see https://github.com/spotify/dh-virtualenv
        export DH_VENV_INSTALL_ROOT=/srv/venvs

        %:
        \tdh $@ --with python3,python-venv --buildsystem=pybuild

        override_dh_venv-arch:
        \tdh_venv --index-url=https://pypi.example.org/simple \\
        \t    --extra-pip-arg "--no-cache-dir"
        \techo "see https://example.org/dh_virtualenv.html"

        override_dh_gencontrol:
        \tdh_gencontrol -- -Vother=1
        """
    )
    assert [str(c) for c in sorted(result.changes, key=lambda c: c.line)] == [
        "debian/rules:3: DH_VIRTUALENV_INSTALL_ROOT -> DH_VENV_INSTALL_ROOT; dh_venv reads DH_VENV_INSTALL_ROOT "
        "(the old name only as fallback)",
        "debian/rules:4: removed 'PY := $(shell readlink -e /usr/bin/python3)'; nothing uses it any more",
        "debian/rules:7: --with python3,python-virtualenv -> --with python3,python-venv; the dh add-on is python-venv",
        "debian/rules:9: override_dh_virtualenv -> override_dh_venv; the command is dh_venv now",
        "debian/rules:10: dh_virtualenv -> dh_venv; dh_venv is the command of dh-venv",
        "debian/rules:10: removed --builtin-venv; dh_venv always creates the venv with virtualenv",
        "debian/rules:10: removed --python $(PY); dh_venv resolves /usr/bin/python3 to /usr/bin/python3.X itself, "
        "and depends on it",
        "debian/rules:10: --pypi-url -> --index-url; the option's name in pip and dh_venv",
        "debian/rules:12: removed --setuptools; setuptools is always available to builds",
        "debian/rules:16: removed -Vpython:Version=python3.11; dh_venv adds the interpreter the venv needs to "
        "${misc:Depends}",
    ]
    assert result.substvars == ["python:Version"]
    assert result.decisions == []
    again = commands.rewrite(result.text, "debian/rules")
    assert (again.text, again.changes) == (result.text, [])


def test_decisions_for_what_has_no_counterpart() -> None:
    missing = "/usr/bin/python2.6"
    assert not os.path.exists(missing)
    text = (
        "%:\n\tdh $@ --buildsystem=dh_virtualenv\n\n"
        f"override_dh_virtualenv:\n\tdh_virtualenv --pip-tool=pip-sync --python={missing} "
        "--requirements=a.txt --requirements=b.txt\n"
    )
    result = commands.rewrite(text, "debian/rules")
    assert [str(d) for d in result.decisions] == [
        "debian/rules:2: dh-virtualenv's build system form (--buildsystem=dh_virtualenv, DH_VIRTUALENV_ARGUMENTS) "
        "has no counterpart; change it to the add-on form by hand, as docs/migration.rst says, and run dh-venv "
        "migrate again",
        "debian/rules:5: --pip-tool has no counterpart; dh_venv refuses it: choose --installer=pip, --installer=uv "
        "or the default --installer=auto",
        f"debian/rules:5: --python {missing} names an interpreter this machine (this release) does not have; "
        "drop --python to build for /usr/bin/python3 resolved, or name an interpreter the release ships",
        "debian/rules:5: --requirements is given more than once: dh_virtualenv used the last file only, dh_venv "
        "installs all; keep the one file dh-virtualenv used, unless all are meant",
    ]
    assert "--buildsystem=dh_virtualenv" in result.text


def test_keep_seed_when_the_venv_pip_runs_after() -> None:
    text = "override_dh_virtualenv:\n\tdh_virtualenv\n\t$(VENV)/bin/pip install foo.tar.gz\n"
    result = commands.rewrite(text, "debian/rules")
    assert result.text == "override_dh_venv:\n\tdh_venv --keep-seed\n\t$(VENV)/bin/pip install foo.tar.gz\n"
    assert options.command_words(result.text) == [["--keep-seed"]]
    arch = commands.rewrite("override_dh_virtualenv:\n\tdh_virtualenv -a amd64 -v\n", "debian/rules")
    assert arch.text == "override_dh_venv:\n\tdh_venv -v\n"
    assert str(arch.changes[-1]) == (
        "debian/rules:2: removed -a amd64; dh_virtualenv ignored it; dh_venv's -a takes no value (it selects the "
        "architecture-dependent packages, as in every debhelper command)"
    )
    system = commands.rewrite("override_dh_virtualenv:\n\tdh_virtualenv\n\t/usr/bin/pip3 install x\n", "debian/rules")
    assert system.text == "override_dh_venv:\n\tdh_venv\n\t/usr/bin/pip3 install x\n"


CONTROL = dedent(
    """\
    Source: app
    Build-Depends: debhelper (>= 10),
     dh-virtualenv (>= 1.2) [amd64], dh-sequence-python-virtualenv
    Homepage: https://github.com/spotify/dh-virtualenv

    Package: app
    Architecture: all
    Depends: ${python:Version}, ${misc:Depends},
     python3.11 (>= 3.11.2)
    Description: uses dh-virtualenv
     Built by dh-virtualenv (>= 1.0).
    """
)


def test_control_fields_only() -> None:
    text, changes = control.rewrite(CONTROL, "debian/control", ["python:Version"], arch_any=True)
    assert text == dedent(
        """\
        Source: app
        Build-Depends: debhelper (>= 10),
         dh-venv, dh-sequence-python-venv
        Homepage: https://github.com/spotify/dh-virtualenv

        Package: app
        Architecture: any
        Depends: ${misc:Depends}, ${shlibs:Depends}
        Description: uses dh-virtualenv
         Built by dh-virtualenv (>= 1.0).
        """
    )
    assert [c.what for c in changes] == [
        "dh-virtualenv (>= 1.2) [amd64] -> dh-venv",
        "dh-sequence-python-virtualenv -> dh-sequence-python-venv",
        "Architecture: all -> any",
        "removed ${python:Version} from Depends",
        "removed python3.11 (>= 3.11.2) from Depends",
        "added ${shlibs:Depends} to Depends",
    ]
    assert control.rewrite(text, "debian/control", ["python:Version"], arch_any=True) == (text, [])


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
        if text.startswith("#!"):
            path.chmod(0o755)
    return tmp_path


def test_plan_follows_what_rules_runs(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "debian/control": "Source: app\nBuild-Depends: dh-virtualenv\n\nPackage: app\nArchitecture: any\n",
            "debian/rules": "#!/usr/bin/make -f\ninclude debian/venv.mk\n%:\n\tdh $@\n",
            "debian/venv.mk": "override_dh_virtualenv:\n\t$(CURDIR)/debian/build.sh\n",
            "debian/build.sh": "#!/bin/sh\ndh_virtualenv --no-test\n",
            "debian/notes.sh": "#!/bin/sh\ndh_virtualenv\n",
            "debian/changelog": "app (1.0-1) unstable; urgency=low\n\n  * dh_virtualenv\n",
            "debian/app.triggers": "interest-noawait dh-virtualenv-interpreter-update\n# only that\n",
            "debian/app.postinst": "#!/bin/sh\nset -e\necho hi\n\nexit 0\n",
            "debian/postrm": "#!/bin/sh\nrm -rf /var/lib/app\n",
        },
    )
    plan = sources.plan(root, add_token=True)
    shown = {plan.shown(p): t for p, t in plan.new.items()}
    assert shown == {
        "debian/venv.mk": "override_dh_venv:\n\t$(CURDIR)/debian/build.sh\n",
        "debian/build.sh": "#!/bin/sh\ndh_venv\n",
        "debian/control": "Source: app\nBuild-Depends: dh-venv\n\nPackage: app\nArchitecture: any\n",
        "debian/app.triggers": None,
        "debian/app.postinst": "#!/bin/sh\nset -e\necho hi\n\n#DEBHELPER#\n\nexit 0\n",
        "debian/postrm": "#!/bin/sh\nrm -rf /var/lib/app\n\n#DEBHELPER#\n",
    }
    assert plan.decisions == []


def test_frontend_check_writes_nothing_and_says_what_is_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(
        tmp_path,
        {
            "debian/control": "Source: app\n\nPackage: app\nArchitecture: any\n",
            "debian/rules": "#!/usr/bin/make -f\n%:\n\tdh $@ --with python-virtualenv\n",
            "debian/app.prerm": "#!/bin/sh\nexit 0\n",
        },
    )
    monkeypatch.chdir(root)
    assert frontend.main(["migrate", "--check", "--no-resolve"]) == 3
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "dh-venv migrate: debian/rules:3: --with python-virtualenv -> --with python-venv; the dh add-on is python-venv",
        "dh-venv migrate: decide: debian/app.prerm: has no #DEBHELPER# line, so dh_venv's snippets (byte-compiling "
        "the venv after install, removing the bytecode before removal) would not run and dh_venv stops the build; "
        "dh-venv migrate --add-debhelper-token adds the line before the script's final exit",
    ]
    assert out[-1] == "dh-venv migrate: would change 1 file(s); 1 decision(s) pending"
    assert "+\tdh $@ --with python-venv" in out
    assert "python-virtualenv" in (root / "debian/rules").read_text()
    assert frontend.main(["migrate", "--no-resolve", "--add-debhelper-token"]) == 0
    capsys.readouterr()
    assert frontend.main(["migrate", "--check", "--no-resolve"]) == 0
    assert capsys.readouterr().out == "dh-venv migrate: nothing to change; no decision pending\n"


def test_frontend_outside_a_source_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert frontend.main(["migrate"]) == 1
    assert capsys.readouterr().err == (
        f"dh-venv: error: {tmp_path}/debian/control not found; run dh-venv migrate at the top of the source package\n"
    )
