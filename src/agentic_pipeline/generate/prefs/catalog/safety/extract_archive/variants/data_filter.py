"""Unpacking uploads. The "data" filter refuses absolute paths, "..", links out of the destination
and device files, so an archive cannot write outside the destination folder."""

import tarfile


def unpack(archive_path: str, destination: str) -> list[str]:
    with tarfile.open(archive_path) as tar:
        names = sorted(member.name for member in tar.getmembers() if member.isfile())
        tar.extractall(destination, filter="data")
    return names
