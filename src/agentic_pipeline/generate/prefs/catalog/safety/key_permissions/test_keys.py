import os

from keys import save_key


def test_saved_and_readable_by_owner(tmp_path):
    target = tmp_path / "service.pem"
    save_key(str(target), "key material for tests\n")
    assert target.read_text().startswith("key material")
    assert os.stat(target).st_mode & 0o400
