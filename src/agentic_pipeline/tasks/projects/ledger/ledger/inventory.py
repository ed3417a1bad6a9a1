"""A stock ledger: receive and ship items, track quantity on hand and weighted-average unit cost."""

from __future__ import annotations

from decimal import Decimal

from ledger.money import format_amount, quantize


class Item:
    """One stock-keeping unit."""

    def __init__(self, sku: str, name: str, unit_cost: Decimal, quantity: int = 0) -> None:
        self.sku = sku
        self.name = name
        self.unit_cost = unit_cost
        self.quantity = quantity

    def __repr__(self) -> str:
        return f"Item(sku={self.sku!r}, name={self.name!r}, unit_cost={self.unit_cost!r}, quantity={self.quantity!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Item):
            return NotImplemented
        return (self.sku, self.name, self.unit_cost, self.quantity) == (
            other.sku,
            other.name,
            other.unit_cost,
            other.quantity,
        )

    @property
    def value(self) -> Decimal:
        """Quantity on hand times unit cost, to the cent."""
        return quantize(self.unit_cost * self.quantity)


class Inventory:
    """Items by sku, with a journal of every movement."""

    def __init__(self) -> None:
        self.items: dict[str, Item] = {}
        self.journal: list[tuple[str, str, int]] = []

    def add_item(self, sku: str, name: str, unit_cost: Decimal = Decimal("0")) -> Item:
        """Register a new sku with nothing on hand."""
        if sku in self.items:
            raise KeyError(f"duplicate sku: {sku}")
        item = Item(sku, name, unit_cost)
        self.items[sku] = item
        return item

    def receive(self, sku: str, quantity: int, unit_cost: Decimal) -> Item:
        """Add stock bought at `unit_cost`; the item's cost becomes the weighted average."""
        if quantity <= 0:
            raise ValueError(f"quantity must be positive, got {quantity}")
        if sku not in self.items:
            raise KeyError(f"unknown sku: {sku}")
        item = self.items[sku]
        total_cost = item.unit_cost * item.quantity + unit_cost * quantity
        item.quantity += quantity
        item.unit_cost = quantize(total_cost / item.quantity, 4)
        self.journal.append(("receive", sku, quantity))
        return item

    def ship(self, sku: str, quantity: int) -> Item:
        """Remove stock; shipping more than is on hand is an error."""
        if quantity <= 0:
            raise ValueError(f"quantity must be positive, got {quantity}")
        if sku not in self.items:
            raise KeyError(f"unknown sku: {sku}")
        item = self.items[sku]
        if quantity > item.quantity:
            raise ValueError(f"only {item.quantity} of {sku} on hand, cannot ship {quantity}")
        item.quantity -= quantity
        self.journal.append(("ship", sku, quantity))
        return item

    def total_value(self) -> Decimal:
        """Value of everything on hand."""
        return sum((item.value for item in self.items.values()), Decimal("0"))

    def low_stock(self, threshold: int = 5) -> list[str]:
        """Skus with fewer than `threshold` units on hand, sorted."""
        return sorted(sku for sku, item in self.items.items() if item.quantity < threshold)

    def movements(self, sku: str) -> int:
        """Net units moved for `sku` according to the journal (received minus shipped)."""
        net = 0
        for kind, moved_sku, quantity in self.journal:
            if moved_sku != sku:
                continue
            net += quantity if kind == "receive" else -quantity
        return net

    def report(self) -> list[str]:
        """One line per item, sorted by sku, then a total line."""
        lines = []
        for sku in sorted(self.items):
            item = self.items[sku]
            lines.append(f"{sku:<8}{item.name:<16}{item.quantity:>6} {format_amount(item.value):>12}")
        lines.append(f"{'TOTAL':<30} {format_amount(self.total_value()):>12}")
        return lines
