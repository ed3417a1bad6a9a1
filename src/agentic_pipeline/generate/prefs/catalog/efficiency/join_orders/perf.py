def make_args(n):
    customers = [{"id": i, "name": f"c{i}"} for i in range(n)]
    orders = [{"customer_id": (i * 7) % (n + 10), "total": i} for i in range(n)]
    return (customers, orders)
