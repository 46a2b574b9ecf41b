"""What is inside the venv, on record: a bill of materials and a license summary in the package.

``dh_venv`` notes, right after installing, where each distribution came
from (:mod:`.provenance`) and checks the licenses against the
maintainer's list (:mod:`.licenses`); ``dh_venv_restore``, after
``dh_shlibdeps`` has computed what the venv links against, writes the
CycloneDX document and the summary (:mod:`.sbom`) into
``/usr/share/doc/<package>/`` (:mod:`.steps`).
"""
