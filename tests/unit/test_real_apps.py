"""What real applications bring: a developer's requirements.txt, scripts= files."""

from __future__ import annotations

from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.expose import scripts
from dh_venv.inputs import requirements


@pytest.mark.parametrize(
    "line",
    [
        "-e git+https://github.com/boto/botocore.git@develop#egg=botocore",
        "botocore @ git+https://github.com/boto/botocore.git@develop",
        "git+ssh://git@example.org/x.git#egg=x",
        "--editable=https://example.org/x.tar.gz",
    ],
)
def test_default_requirements_with_a_vcs_or_editable_url_fail(tmp_path: Path, line: str) -> None:
    (tmp_path / "requirements.txt").write_text(f"# dev\ndocutils>=0.10\n{line}\n")
    with pytest.raises(DhVenvError) as info:
        requirements.requirement_files(tmp_path, None)
    assert str(info.value) == (
        "requirements.txt (picked by default: no --requirements was given) has a version-control or editable URL "
        f"requirement on line 3: {line!r}; that is a development branch, not a release; name the file "
        "(--requirements=requirements.txt) to install it anyway, or build without it (--requirements=none: the "
        "project and its declared dependencies only)"
    )
    # Named, it is the maintainer's choice.
    assert requirements.requirement_files(tmp_path, ("requirements.txt",)) == [tmp_path / "requirements.txt"]
    assert requirements.requirement_files(tmp_path, ("none",)) == []


def test_default_requirements_with_local_editables_are_fine(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-e .\n-e ./vendor/x\ntinydep==1.0  # see git+https://x\n")
    assert requirements.requirement_files(tmp_path, None) == [tmp_path / "requirements.txt"]


def test_record_scripts_are_the_application_commands(tmp_path: Path) -> None:
    site = tmp_path / "venv/lib/python3/site-packages"
    dist_info = site / "awscli-1.33.44.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "RECORD").write_text(
        "../../../bin/aws,sha256=x,10\n../../../bin/aws_completer,sha256=y,5\n"
        "../../../bin/__pycache__/aws.cpython-311.pyc,,\nawscli/__init__.py,sha256=z,1\n"
    )
    (dist_info / "entry_points.txt").write_text("[console_scripts]\naws-tool = awscli:main\n")
    assert scripts.record_scripts(dist_info) == ["aws", "aws_completer"]
    assert scripts.application_scripts(dist_info) == ["aws", "aws-tool", "aws_completer"]
