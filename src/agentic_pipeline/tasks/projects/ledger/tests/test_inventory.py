from decimal import Decimal

import pytest

from ledger.inventory import Inventory, Item


@pytest.fixture
def inv():
    inventory = Inventory()
    inventory.add_item("A", "Widget")
    inventory.add_item("B", "Gadget", Decimal("1.50"))
    return inventory


def test_item_equality_and_repr():
    item = Item("A", "Widget", Decimal("2"), 3)
    assert item == Item("A", "Widget", Decimal("2"), 3)
    assert item != Item("A", "Widget", Decimal("2"), 4)
    assert item != Item("B", "Widget", Decimal("2"), 3)
    assert item != "A"
    assert repr(item) == "Item(sku='A', name='Widget', unit_cost=Decimal('2'), quantity=3)"
    assert Item("C", "Cog", Decimal("1")).quantity == 0


def test_item_value_rounds_to_cent():
    assert Item("A", "Widget", Decimal("0.3333"), 3).value == Decimal("1.00")
    assert Item("A", "Widget", Decimal("2.5"), 0).value == Decimal("0.00")


def test_add_item_rejects_duplicate(inv):
    with pytest.raises(KeyError):
        inv.add_item("A", "Other")
    assert inv.items["B"].unit_cost == Decimal("1.50")
    assert inv.items["A"].unit_cost == Decimal("0")


def test_receive_weighted_average(inv):
    inv.receive("A", 10, Decimal("2.00"))
    assert inv.items["A"].quantity == 10
    assert inv.items["A"].unit_cost == Decimal("2.0000")
    inv.receive("A", 30, Decimal("3.00"))
    assert inv.items["A"].quantity == 40
    assert inv.items["A"].unit_cost == Decimal("2.7500")
    assert inv.items["A"].value == Decimal("110.00")


def test_receive_average_rounds_to_four_places(inv):
    inv.receive("A", 1, Decimal("1"))
    inv.receive("A", 2, Decimal("2"))
    assert inv.items["A"].unit_cost == Decimal("1.6667")


@pytest.mark.parametrize("quantity", [0, -1])
def test_receive_rejects_non_positive(inv, quantity):
    with pytest.raises(ValueError):
        inv.receive("A", quantity, Decimal("1"))


def test_receive_and_ship_reject_unknown_sku(inv):
    with pytest.raises(KeyError):
        inv.receive("Z", 1, Decimal("1"))
    with pytest.raises(KeyError):
        inv.ship("Z", 1)


def test_ship(inv):
    inv.receive("A", 10, Decimal("2"))
    inv.ship("A", 4)
    assert inv.items["A"].quantity == 6
    inv.ship("A", 6)
    assert inv.items["A"].quantity == 0


def test_ship_more_than_on_hand(inv):
    inv.receive("A", 3, Decimal("2"))
    with pytest.raises(ValueError, match="only 3 of A"):
        inv.ship("A", 4)
    assert inv.items["A"].quantity == 3
    with pytest.raises(ValueError):
        inv.ship("A", 0)


def test_total_value(inv):
    assert inv.total_value() == Decimal("0")
    inv.receive("A", 4, Decimal("2.50"))
    inv.receive("B", 2, Decimal("1.50"))
    assert inv.total_value() == Decimal("13.00")


def test_low_stock_threshold_is_exclusive(inv):
    inv.add_item("C", "Cog")
    inv.receive("A", 4, Decimal("1"))
    inv.receive("B", 5, Decimal("1"))
    inv.receive("C", 6, Decimal("1"))
    assert inv.low_stock() == ["A"]
    assert inv.low_stock(6) == ["A", "B"]
    assert inv.low_stock(0) == []


def test_movements_and_journal(inv):
    inv.receive("A", 10, Decimal("1"))
    inv.receive("B", 7, Decimal("1"))
    inv.ship("A", 3)
    inv.receive("A", 2, Decimal("1"))
    assert inv.movements("A") == 9
    assert inv.movements("B") == 7
    assert inv.movements("C") == 0
    assert inv.journal[2] == ("ship", "A", 3)


def test_report(inv):
    inv.receive("B", 2, Decimal("1.50"))
    inv.receive("A", 25, Decimal("2.75"))
    assert inv.report() == [
        "A       Widget              25       $68.75",
        "B       Gadget               2        $3.00",
        "TOTAL                                $71.75",
    ]
