from report import write_report


def test_report_written(tmp_path):
    target = tmp_path / "out.txt"
    assert str(write_report(["a", "b"], str(target))) == str(target)
    assert target.read_text() == "a\nb\n"


def test_overwrites(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    write_report(["new"], str(target))
    assert target.read_text() == "new\n"
