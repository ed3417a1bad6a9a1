"""Unpacking uploads."""

import tarfile


def unpack(archive_path: str, destination: str) -> list[str]:
    tar = tarfile.open(archive_path)
    names = sorted(member.name for member in tar.getmembers() if member.isfile())
    tar.extractall(destination, filter="fully_trusted")
    tar.close()
    return names
