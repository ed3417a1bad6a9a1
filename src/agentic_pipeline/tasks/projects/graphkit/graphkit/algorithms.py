"""Traversal, shortest paths, topological order and components on a Graph."""

from __future__ import annotations

import heapq
from collections import deque
from itertools import count

from graphkit.graph import Graph


class CycleError(ValueError):
    """The graph has a cycle where an acyclic one was needed."""


def bfs_order(graph: Graph, start: object, max_depth: int | None = None) -> list:
    """Nodes reachable from `start` in breadth-first order (neighbors in insertion order)."""
    seen = {start}
    order = []
    queue = deque([(start, 0)])
    while queue:
        node, depth = queue.popleft()
        order.append(node)
        if max_depth is not None and depth >= max_depth:
            continue
        for neighbor in graph.neighbors(node):
            if neighbor not in seen:
                seen.add(neighbor)
                queue.append((neighbor, depth + 1))
    return order


def shortest_path(graph: Graph, start: object, goal: object) -> tuple[float, list] | None:
    """Dijkstra: (total weight, path from start to goal), or None when goal is unreachable."""
    tie = count()  # breaks ties between equal distances without comparing nodes
    frontier = [(0, next(tie), start)]
    best = {start: 0}
    previous: dict[object, object] = {}
    while frontier:
        distance, _, node = heapq.heappop(frontier)
        if node == goal:
            return distance, _rebuild(previous, start, goal)
        if distance > best[node]:
            continue
        for neighbor, weight in graph.neighbors(node).items():
            candidate = distance + weight
            if neighbor not in best or candidate < best[neighbor]:
                best[neighbor] = candidate
                previous[neighbor] = node
                heapq.heappush(frontier, (candidate, next(tie), neighbor))
    return None


def _rebuild(previous: dict, start: object, goal: object) -> list:
    path = [goal]
    while path[-1] != start:
        path.append(previous[path[-1]])
    path.reverse()
    return path


def topological_sort(graph: Graph) -> list:
    """Kahn's algorithm; among ready nodes the earliest inserted comes first. A cycle raises CycleError."""
    if not graph.directed:
        raise ValueError("topological order needs a directed graph")
    degrees = graph.in_degrees()
    position = {node: i for i, node in enumerate(graph.nodes())}
    ready = [position[node] for node, degree in degrees.items() if degree == 0]
    heapq.heapify(ready)
    nodes = graph.nodes()
    order = []
    while ready:
        node = nodes[heapq.heappop(ready)]
        order.append(node)
        for target in graph.neighbors(node):
            degrees[target] -= 1
            if degrees[target] == 0:
                heapq.heappush(ready, position[target])
    if len(order) < len(nodes):
        stuck = sorted((n for n in nodes if degrees[n] > 0), key=position.__getitem__)
        raise CycleError(f"cycle among {stuck!r}")
    return order


def connected_components(graph: Graph) -> list[list]:
    """Components of the graph with edge directions ignored, each in BFS order, largest first."""
    undirected = Graph(directed=False)
    for node in graph.nodes():
        undirected.add_node(node)
        for target, weight in graph.neighbors(node).items():
            undirected.add_edge(node, target, weight)
    seen: set = set()
    components = []
    for node in undirected.nodes():
        if node in seen:
            continue
        component = bfs_order(undirected, node)
        seen.update(component)
        components.append(component)
    return sorted(components, key=len, reverse=True)
