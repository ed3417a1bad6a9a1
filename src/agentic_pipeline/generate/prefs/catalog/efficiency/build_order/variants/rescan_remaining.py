def build_order(deps):
    """Targets ordered after their prerequisites; the smallest ready target first."""
    needs = {target: set(pre) for target, pre in deps.items()}
    for pre in deps.values():
        for target in pre:
            needs.setdefault(target, set())
    done = set()
    order = []
    remaining = sorted(needs)
    while remaining:
        for target in remaining:
            if needs[target] <= done:
                break
        else:
            raise ValueError("the prerequisites contain a cycle")
        remaining.remove(target)
        done.add(target)
        order.append(target)
    return order
