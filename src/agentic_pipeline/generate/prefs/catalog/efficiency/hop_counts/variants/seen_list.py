def hop_counts(graph, start):
    """Breadth-first search: fewest hops from ``start`` to every reachable node."""
    hops = {start: 0}
    seen = [start]
    queue = [start]
    while len(queue) > 0:
        node = queue.pop(0)
        for neighbour in graph.get(node, []):
            if neighbour not in seen:
                seen.append(neighbour)
                hops[neighbour] = hops[node] + 1
                queue.append(neighbour)
    return hops
