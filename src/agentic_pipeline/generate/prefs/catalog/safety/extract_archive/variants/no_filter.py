"""Unpacking uploads."""

import tarfile


def unpack(archive_path: str, destination: str) -> list[str]:
    with tarfile.open(archive_path) as tar:
        members = tar.getmembers()
        tar.extractall(destination, members=members)
    return sorted(member.name for member in members if member.isfile())
