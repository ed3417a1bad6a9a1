from csvreport.render import build_report, format_cell, render_markdown, render_text

ROWS = [
    {"region": "north", "product": "widget", "units": 10, "price": 2.5},
    {"region": "south", "product": "widget", "units": 1200, "price": 2.5},
    {"region": "north", "product": "gadget", "units": 3, "price": 19.99},
]
SUMMARY = [
    {"group": "north", "count": 3, "total": 94.97},
    {"group": "south", "count": 1, "total": 3000.0},
]


def test_format_cell():
    assert format_cell(3000.0) == "3,000.00"
    assert format_cell(0.5, 1) == "0.5"
    assert format_cell(1234567) == "1,234,567"
    assert format_cell(True) == "True"
    assert format_cell("north") == "north"


def test_render_text():
    assert render_text(["group", "count", "total"], SUMMARY) == (
        "group  count     total\n-----  -----  --------\nnorth      3     94.97\nsouth      1  3,000.00"
    )


def test_render_text_widens_to_header_and_decimals():
    rows = [{"name": "a", "v": 1.25}]
    assert render_text(["name", "v"], rows, decimals=1) == "name    v\n----  ---\na     1.2"


def test_render_text_without_rows():
    assert render_text(["group", "total"], []) == "group  total\n-----  -----"


def test_render_markdown():
    assert render_markdown(["group", "count", "total"], SUMMARY) == (
        "| group | count | total    |\n"
        "| ----- | ----: | -------: |\n"
        "| north | 3     | 94.97    |\n"
        "| south | 1     | 3,000.00 |"
    )


def test_build_report_text_with_title():
    assert build_report(ROWS, "product", ["group", "count", "total"], title="By product") == (
        "By product\n"
        "==========\n\n"
        "group   count     total\n"
        "------  -----  --------\n"
        "widget      2  3,025.00\n"
        "gadget      1     59.97"
    )


def test_build_report_markdown_limit_and_order():
    report = build_report(
        ROWS, "region", ["group", "total"], limit=1, descending=False, markdown=True, title="Low"
    )
    assert report == "## Low\n\n| group | total |\n| ----- | ----: |\n| north | 84.97 |"


def test_build_report_sort_field_and_no_title():
    report = build_report(ROWS, "region", ["group", "count"], sort_field="count")
    assert report.splitlines() == ["group  count", "-----  -----", "north      2", "south      1"]


def test_build_report_default_limit_is_ten():
    rows = [{"region": f"r{i:02d}", "product": "w", "units": i, "price": 1.0} for i in range(1, 13)]
    lines = build_report(rows, "region", ["group"]).splitlines()
    assert lines[2:] == [f"r{i:02d}" for i in range(12, 2, -1)]
