def hop_counts(graph, start):
    """Breadth-first search: fewest hops from ``start`` to every reachable node."""
    hops = {start: 0}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for neighbour in graph.get(node, []):
            if neighbour not in hops:
                hops[neighbour] = hops[node] + 1
                queue.append(neighbour)
    return hops
