from logsearch import count_matching_lines

LOG = "GET /a 200\nGET /b 500\nPOST /a 500\nGET /a.b 200\n"


def test_counts_lines(tmp_path):
    log = tmp_path / "app.log"
    log.write_text(LOG)
    assert count_matching_lines(str(log), "500") == 2
    assert count_matching_lines(str(log), "GET /a") == 2


def test_plain_text_not_pattern(tmp_path):
    log = tmp_path / "app.log"
    log.write_text(LOG)
    assert count_matching_lines(str(log), "/a.b") == 1


def test_no_match(tmp_path):
    log = tmp_path / "app.log"
    log.write_text(LOG)
    assert count_matching_lines(str(log), "DELETE") == 0
