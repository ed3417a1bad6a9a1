import pytest

from csvreport.parse import RowError, parse_number, parse_rows

HEADER = "region,product,units,price\n"


def test_parse_rows_types_and_cleanup():
    rows = parse_rows(HEADER + ' north , widget ,"1,200",2.50\nsouth,gadget,3,19.99\n')
    assert rows == [
        {"region": "north", "product": "widget", "units": 1200, "price": 2.5},
        {"region": "south", "product": "gadget", "units": 3, "price": 19.99},
    ]
    assert isinstance(rows[0]["units"], int)
    assert isinstance(rows[0]["price"], float)


def test_parse_rows_skips_blank_lines_and_extra_columns():
    text = "id,region,product,units,price\n1,n,w,1,1\n\n,,,,\n2,s,w,2,0\n"
    rows = parse_rows(text)
    assert [row["units"] for row in rows] == [1, 2]
    assert "id" not in rows[0]


def test_parse_rows_other_delimiter():
    rows = parse_rows("region;product;units;price\nn;w;2;1.5\n", delimiter=";")
    assert rows == [{"region": "n", "product": "w", "units": 2, "price": 1.5}]


def test_missing_columns():
    with pytest.raises(RowError, match="line 1: missing column\\(s\\): units, price"):
        parse_rows("region,product\nn,w\n")
    with pytest.raises(RowError, match="line 1"):
        parse_rows("")


def test_bad_value_names_line_and_column():
    text = HEADER + "n,w,1,1\nn,w,2,2\nn,w,three,3\n"
    with pytest.raises(RowError, match=r"line 4: units should be an integer, got 'three'") as info:
        parse_rows(text)
    assert info.value.line == 4


def test_short_row_is_an_empty_cell():
    with pytest.raises(RowError, match="line 2: price is empty"):
        parse_rows(HEADER + "n,w,1\n")


def test_parse_number():
    assert parse_number(" 1,234.5 ", 3, "price") == 1234.5
    assert parse_number("0", 3, "units", integer=True) == 0
    assert parse_number("12", 3, "units", True) == 12


@pytest.mark.parametrize(
    ("text", "integer", "message"),
    [
        ("", False, "line 7: price is empty"),
        ("  ", True, "line 7: price is empty"),
        ("1.5", True, "line 7: price should be an integer, got '1.5'"),
        ("abc", False, "line 7: price should be a number, got 'abc'"),
        ("-1", False, "line 7: price must not be negative, got '-1'"),
        ("-2", True, "line 7: price must not be negative, got '-2'"),
    ],
)
def test_parse_number_errors(text, integer, message):
    with pytest.raises(RowError) as info:
        parse_number(text, 7, "price", integer)
    assert str(info.value) == message
