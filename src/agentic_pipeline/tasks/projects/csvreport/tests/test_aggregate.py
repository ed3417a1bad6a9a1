import pytest

from csvreport.aggregate import group_by, median, revenue, share, summarize, top


def row(region, product, units, price):
    return {"region": region, "product": product, "units": units, "price": price}


ROWS = [
    row("north", "widget", 10, 2.5),
    row("south", "widget", 1200, 2.5),
    row("north", "gadget", 3, 19.99),
    row("east", "widget", 0, 2.5),
    row("north", "widget", 4, 2.5),
]


def test_revenue_rounds_to_cents():
    assert revenue(row("n", "w", 3, 19.99)) == 59.97
    assert revenue(row("n", "w", 3, 0.333)) == 1.0
    assert revenue(row("n", "w", 0, 5.0)) == 0


def test_group_by_keeps_first_appearance_order():
    groups = group_by(ROWS, "region")
    assert list(groups) == ["north", "south", "east"]
    assert [r["units"] for r in groups["north"]] == [10, 3, 4]
    assert group_by([], "region") == {}


def test_median():
    assert median([5.0]) == 5.0
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert median([1.0, 10.0]) == 5.5
    with pytest.raises(ValueError):
        median([])


def test_summarize_by_region():
    summary = summarize(ROWS, "region")
    assert summary[0] == {
        "group": "north",
        "count": 3,
        "total": 94.97,
        "mean": 31.66,
        "median": 25.0,
        "min": 10.0,
        "max": 59.97,
    }
    assert [s["group"] for s in summary] == ["north", "south", "east"]
    assert summary[1]["total"] == 3000.0
    assert summary[2]["count"] == 1


def test_summarize_with_custom_value():
    summary = summarize(ROWS, "product", value=lambda r: r["units"])
    assert [(s["group"], s["total"], s["min"], s["max"]) for s in summary] == [
        ("widget", 1214, 0, 1200),
        ("gadget", 3, 3, 3),
    ]


def test_top():
    summary = summarize(ROWS, "region")
    assert [s["group"] for s in top(summary)] == ["south", "north", "east"]
    assert [s["group"] for s in top(summary, limit=1)] == ["south"]
    assert [s["group"] for s in top(summary, "count", 2)] == ["north", "south"]
    assert [s["group"] for s in top(summary, "total", 2, descending=False)] == ["east", "north"]
    assert top(summary, limit=0) == []
    wider = summarize([*ROWS, row("west", "widget", 1, 1.0)], "region")
    assert [s["group"] for s in top(wider)] == ["south", "north", "west"]
    with pytest.raises(ValueError):
        top(summary, limit=-1)


def test_share():
    summary = summarize(ROWS, "region")
    assert share(summary) == {"north": 3.1, "south": 96.9, "east": 0.0}
    assert share(summary, "count") == {"north": 60.0, "south": 20.0, "east": 20.0}
    assert share([{"group": "x", "total": 0}]) == {"x": 0.0}
