import tarfile

from backup import backup_folder


def members(archive):
    with tarfile.open(archive, "r:gz") as tar:
        return sorted(m.name.removeprefix("./") for m in tar.getmembers() if m.isfile())


def test_archive_holds_the_files(tmp_path):
    folder = tmp_path / "project"
    (folder / "src").mkdir(parents=True)
    (folder / "README").write_text("hello")
    (folder / "src" / "main.py").write_text("print(1)")
    archive = tmp_path / "project.tar.gz"
    assert str(backup_folder(str(folder), str(archive))) == str(archive)
    assert members(archive) == ["README", "src/main.py"]
    with tarfile.open(archive, "r:gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("README"))
        assert tar.extractfile(member).read() == b"hello"


def test_empty_folder(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    archive = tmp_path / "empty.tar.gz"
    backup_folder(str(folder), str(archive))
    assert members(archive) == []
