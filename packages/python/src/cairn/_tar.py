"""Tar streams for archive upload and download: written and read a block at a time, never whole."""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
from pathlib import Path
from typing import IO, Iterator, Union

from ._bodies import CHUNK_SIZE, file_chunks

BLOCK = 512
StrPath = Union[str, "os.PathLike[str]"]


def tar_directory(root: StrPath) -> Iterator[bytes]:
    """A tar of the files, directories and symlinks under `root` (names relative to it), yielded
    as it is read from disk: headers, then each file's content in chunks."""
    base = Path(root)
    buffered: list[bytes] = []
    size = 0
    for directory, dirnames, filenames in os.walk(base):
        dirnames.sort()
        here = Path(directory)
        for name in [*sorted(dirnames), *sorted(filenames)]:
            full = here / name
            info = os.lstat(full)
            arcname = full.relative_to(base).as_posix()
            entry = tarfile.TarInfo(arcname)
            entry.mode = stat.S_IMODE(info.st_mode)
            entry.mtime = int(info.st_mtime)
            if stat.S_ISDIR(info.st_mode):
                entry.type = tarfile.DIRTYPE
            elif stat.S_ISLNK(info.st_mode):
                entry.type = tarfile.SYMTYPE
                entry.linkname = os.readlink(full)
            elif stat.S_ISREG(info.st_mode):
                entry.size = info.st_size
            else:
                continue  # sockets, FIFOs, devices: a sandbox has none
            header = entry.tobuf(format=tarfile.PAX_FORMAT)
            buffered.append(header)
            size += len(header)
            if entry.isreg() and entry.size:
                # Small files are batched into one chunk; big ones stream in CHUNK_SIZE pieces.
                with open(full, "rb") as file:
                    written = 0
                    for chunk in file_chunks(file):
                        chunk = chunk[: entry.size - written]
                        written += len(chunk)
                        buffered.append(chunk)
                        size += len(chunk)
                        if size >= CHUNK_SIZE:
                            yield b"".join(buffered)
                            buffered, size = [], 0
                        if written >= entry.size:
                            break
                if written < entry.size:
                    raise OSError(f"{full} shrank while it was being archived")
                padding = -entry.size % BLOCK
                buffered.append(b"\0" * padding)
                size += padding
            if size >= CHUNK_SIZE:
                yield b"".join(buffered)
                buffered, size = [], 0
    buffered.append(b"\0" * (BLOCK * 2))
    yield b"".join(buffered)


def looks_gzipped(head: bytes) -> bool:
    return head[:2] == b"\x1f\x8b"


def extract(archive: IO[bytes], destination: StrPath) -> None:
    """Extracts a tar (or tar.gz) read as a stream into `destination`, refusing entries that would
    land outside it (the `data` filter, where this Python has it)."""
    target = Path(destination)
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=archive, mode="r|*") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, filter="data")
        else:  # Python < 3.9.17: check each name by hand
            root = target.resolve()
            for member in tar:
                out = (root / member.name).resolve()
                if root != out and root not in out.parents:
                    raise OSError(f"archive entry {member.name!r} is outside the destination")
                if member.issym() or member.islnk():
                    link = (out.parent / member.linkname).resolve()
                    if root != link and root not in link.parents:
                        raise OSError(f"archive link {member.name!r} points outside")
                tar.extract(member, root)


def copy_file(source: IO[bytes], destination: IO[bytes]) -> None:
    shutil.copyfileobj(source, destination, CHUNK_SIZE)
