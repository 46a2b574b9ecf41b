"""A system profiler whose command belongs in /usr/sbin."""

import os
import subprocess
import sys

import extradep
import tinydep


def main() -> None:
    probe = os.path.join(os.path.dirname(sys.executable), "mig-probe")
    out = subprocess.run([probe], capture_output=True, text=True, check=True).stdout.strip()
    print(f"profiler: {out} ({tinydep.__name__}, {extradep.__name__})")


def agent() -> None:
    print("profiler agent")
