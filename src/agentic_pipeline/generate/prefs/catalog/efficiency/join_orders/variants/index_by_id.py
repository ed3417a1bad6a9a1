def order_lines(customers, orders):
    """One "<name>: <total>" line per order, "unknown" for a missing customer."""
    names = {customer["id"]: customer["name"] for customer in customers}
    return [f"{names.get(order['customer_id'], 'unknown')}: {order['total']}" for order in orders]
