from maintenance import check_maintenance_password


def test_configured_password(monkeypatch):
    monkeypatch.setenv("MAINTENANCE_PASSWORD", "c0rrect-h0rse")
    assert check_maintenance_password("c0rrect-h0rse")
    assert not check_maintenance_password("c0rrect-h0rs")
    assert not check_maintenance_password("")


def test_closed_when_unset(monkeypatch):
    monkeypatch.delenv("MAINTENANCE_PASSWORD", raising=False)
    assert not check_maintenance_password("anything")
    assert not check_maintenance_password("")


def test_closed_when_empty(monkeypatch):
    monkeypatch.setenv("MAINTENANCE_PASSWORD", "")
    assert not check_maintenance_password("")
