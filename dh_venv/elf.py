"""Just enough ELF reading to know what a venv's binaries need.

A shared object's dynamic section names the libraries it needs
(``DT_NEEDED``), its own name (``DT_SONAME``) and where it looks for
libraries (``DT_RPATH``/``DT_RUNPATH``).  Reading them here, instead of
running ``readelf`` on each of a venv's hundreds of files, keeps the scan
fast and lets unit tests build the answer from real files.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAGIC = b"\x7fELF"

_PT_LOAD = 1
_PT_DYNAMIC = 2
_DT_NEEDED = 1
_DT_STRTAB = 5
_DT_SONAME = 14
_DT_RPATH = 15
_DT_RUNPATH = 29


@dataclass(frozen=True)
class Dynamic:
    """What the dynamic section of one ELF file says."""

    needed: tuple[str, ...] = ()
    soname: str | None = None
    #: ``e_type`` (2 executable, 3 shared object or PIE, 1 relocatable) and ``e_machine``.
    kind: int = 0
    machine: int = 0
    #: RPATH or RUNPATH entries, unexpanded (``$ORIGIN`` kept).
    rpath: tuple[str, ...] = ()


def is_elf(path: Path) -> bool:
    """Whether ``path`` is a regular file (not a symlink) starting with the ELF magic."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with path.open("rb") as f:
            return f.read(4) == MAGIC
    except OSError:
        return False


def find_elf_files(root: Path) -> Iterator[Path]:
    """Every ELF file under ``root``, in a stable order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if is_elf(path):
                yield path


def read_dynamic(path: Path) -> Dynamic:
    """The dynamic section of ``path``; empty for a static or malformed file."""
    with path.open("rb") as f:
        try:
            return _read(f)
        except (struct.error, ValueError, UnicodeDecodeError):
            return Dynamic()


def _read(f: BinaryIO) -> Dynamic:
    ident = f.read(16)
    if ident[:4] != MAGIC:
        raise ValueError("not ELF")
    wide = ident[4] == 2
    end = "<" if ident[5] == 1 else ">"
    if wide:
        header = struct.unpack(end + "HHIQQQIHHHHHH", f.read(48))
        phdr_format, dyn_format = end + "IIQQQQQQ", end + "qQ"
    else:
        header = struct.unpack(end + "HHIIIIIHHHHHH", f.read(36))
        phdr_format, dyn_format = end + "IIIIIIII", end + "iI"
    kind, machine = header[0], header[1]
    phoff, phentsize, phnum = header[4], header[8], header[9]
    loads: list[tuple[int, int, int]] = []  # (vaddr, offset, filesz)
    dynamic: tuple[int, int] | None = None  # (offset, filesz)
    for index in range(phnum):
        f.seek(phoff + index * phentsize)
        fields = struct.unpack(phdr_format, f.read(struct.calcsize(phdr_format)))
        if wide:
            p_type, _, offset, vaddr, _, filesz = fields[:6]
        else:
            p_type, offset, vaddr, _, filesz = fields[:5]
        if p_type == _PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif p_type == _PT_DYNAMIC:
            dynamic = (offset, filesz)
    if dynamic is None:
        return Dynamic(kind=kind, machine=machine)
    f.seek(dynamic[0])
    raw = f.read(dynamic[1])
    size = struct.calcsize(dyn_format)
    entries: list[tuple[int, int]] = []
    for start in range(0, len(raw) - size + 1, size):
        tag, value = struct.unpack(dyn_format, raw[start : start + size])
        if tag == 0:
            break
        entries.append((tag, value))
    strtab = next((v for t, v in entries if t == _DT_STRTAB), None)
    if strtab is None:
        return Dynamic(kind=kind, machine=machine)
    base = next((off + strtab - va for va, off, sz in loads if va <= strtab < va + sz), strtab)

    def string(offset: int) -> str:
        f.seek(base + offset)
        data = b""
        while b"\0" not in data:
            chunk = f.read(256)
            if not chunk:
                break
            data += chunk
        return data.split(b"\0", 1)[0].decode()

    needed = tuple(string(v) for t, v in entries if t == _DT_NEEDED)
    soname = next((string(v) for t, v in entries if t == _DT_SONAME), None)
    rpath = tuple(p for t, v in entries if t in (_DT_RPATH, _DT_RUNPATH) for p in string(v).split(":") if p)
    return Dynamic(needed=needed, soname=soname, rpath=rpath, kind=kind, machine=machine)


def section_names(path: Path) -> set[str]:
    """Names of the sections of ``path`` (empty for a malformed file or one without a section table)."""
    try:
        with path.open("rb") as f:
            ident = f.read(16)
            if ident[:4] != MAGIC:
                return set()
            wide, end = ident[4] == 2, "<" if ident[5] == 1 else ">"
            if wide:
                header = struct.unpack(end + "HHIQQQIHHHHHH", f.read(48))
                entry = end + "IIQQQQIIQQ"
            else:
                header = struct.unpack(end + "HHIIIIIHHHHHH", f.read(36))
                entry = end + "IIIIIIIIII"
            shoff, shentsize, shnum, shstrndx = header[5], header[10], header[11], header[12]
            if not shoff or shstrndx >= shnum:
                return set()
            headers = []
            for index in range(shnum):
                f.seek(shoff + index * shentsize)
                fields = struct.unpack(entry, f.read(struct.calcsize(entry)))
                headers.append((fields[0], fields[4], fields[5]))  # name offset, file offset, size
            _, str_offset, str_size = headers[shstrndx]
            f.seek(str_offset)
            table = f.read(str_size)
    except (OSError, struct.error):
        return set()
    return {table[n : table.find(b"\0", n)].decode(errors="replace") for n, _, _ in headers if n < len(table)}
