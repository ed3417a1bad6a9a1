import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("diagnose.sh")


def test_report_has_the_facts(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "diagnostics.txt").read_text()
    assert "Python 3" in report
    assert "Linux" in report
