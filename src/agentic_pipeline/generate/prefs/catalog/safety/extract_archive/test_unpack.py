import tarfile

from unpack import unpack


def test_unpacks(tmp_path):
    src = tmp_path / "src"
    (src / "docs").mkdir(parents=True)
    (src / "docs" / "a.txt").write_text("alpha")
    (src / "b.txt").write_text("beta")
    archive = tmp_path / "upload.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(src / "docs" / "a.txt", arcname="docs/a.txt")
        tar.add(src / "b.txt", arcname="b.txt")
    out = tmp_path / "out"
    assert unpack(str(archive), str(out)) == ["b.txt", "docs/a.txt"]
    assert (out / "docs" / "a.txt").read_text() == "alpha"
