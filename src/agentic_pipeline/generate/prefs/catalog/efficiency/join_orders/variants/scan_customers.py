def order_lines(customers, orders):
    """One "<name>: <total>" line per order, "unknown" for a missing customer."""
    lines = []
    for order in orders:
        name = "unknown"
        for customer in customers:
            if customer["id"] == order["customer_id"]:
                name = customer["name"]
                break
        lines.append(f"{name}: {order['total']}")
    return lines
