import heapq


def build_order(deps):
    """Targets ordered after their prerequisites; the smallest ready target first."""
    needs = {target: set(pre) for target, pre in deps.items()}
    for pre in deps.values():
        for target in pre:
            needs.setdefault(target, set())
    needed_by = {target: [] for target in needs}
    for target, pre in needs.items():
        for p in pre:
            needed_by[p].append(target)
    waiting = {target: len(pre) for target, pre in needs.items()}
    ready = [target for target, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        target = heapq.heappop(ready)
        order.append(target)
        for dependent in needed_by[target]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, dependent)
    if len(order) != len(needs):
        raise ValueError("the prerequisites contain a cycle")
    return order
