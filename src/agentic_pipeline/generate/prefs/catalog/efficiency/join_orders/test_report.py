from report import order_lines


def test_join():
    customers = [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Linus"}]
    orders = [{"customer_id": 2, "total": 10}, {"customer_id": 1, "total": 3}]
    assert order_lines(customers, orders) == ["Linus: 10", "Ada: 3"]


def test_unknown_customer():
    assert order_lines([], [{"customer_id": 7, "total": 1}]) == ["unknown: 1"]
