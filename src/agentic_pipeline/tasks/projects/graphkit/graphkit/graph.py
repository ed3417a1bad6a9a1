"""An adjacency-list graph with weighted edges, directed or not."""

from __future__ import annotations

from collections.abc import Iterable


class Graph:
    """Nodes are hashable values; each edge has a non-negative weight."""

    def __init__(self, directed: bool = True) -> None:
        self.directed = directed
        self._adjacency: dict[object, dict[object, float]] = {}

    @classmethod
    def from_edges(cls, edges: Iterable[tuple], directed: bool = True) -> Graph:
        """Build from (u, v) or (u, v, weight) tuples."""
        graph = cls(directed)
        for edge in edges:
            if len(edge) == 2:
                graph.add_edge(edge[0], edge[1])
            elif len(edge) == 3:
                graph.add_edge(edge[0], edge[1], edge[2])
            else:
                raise ValueError(f"an edge is (u, v) or (u, v, weight), got {edge!r}")
        return graph

    def add_node(self, node: object) -> None:
        self._adjacency.setdefault(node, {})

    def add_edge(self, source: object, target: object, weight: float = 1) -> None:
        """Add or replace the edge source -> target (and target -> source when undirected)."""
        if weight < 0:
            raise ValueError(f"negative weight {weight} on {source!r} -> {target!r}")
        self.add_node(source)
        self.add_node(target)
        self._adjacency[source][target] = weight
        if not self.directed:
            self._adjacency[target][source] = weight

    def remove_edge(self, source: object, target: object) -> None:
        """Remove an edge; a missing edge is a KeyError."""
        if target not in self._adjacency.get(source, {}):
            raise KeyError(f"no edge {source!r} -> {target!r}")
        del self._adjacency[source][target]
        if not self.directed:
            del self._adjacency[target][source]

    def nodes(self) -> list:
        """Nodes in insertion order."""
        return list(self._adjacency)

    def neighbors(self, node: object) -> dict[object, float]:
        """Targets of the edges leaving `node`, with their weights."""
        if node not in self._adjacency:
            raise KeyError(f"unknown node {node!r}")
        return dict(self._adjacency[node])

    def weight(self, source: object, target: object) -> float:
        return self._adjacency[source][target]

    def edge_count(self) -> int:
        """Number of edges; an undirected edge counts once (a self-loop too)."""
        total = sum(len(targets) for targets in self._adjacency.values())
        if self.directed:
            return total
        loops = sum(1 for node, targets in self._adjacency.items() if node in targets)
        return (total + loops) // 2

    def in_degrees(self) -> dict[object, int]:
        """For each node, the number of edges arriving at it."""
        degrees = {node: 0 for node in self._adjacency}
        for targets in self._adjacency.values():
            for target in targets:
                degrees[target] += 1
        return degrees
