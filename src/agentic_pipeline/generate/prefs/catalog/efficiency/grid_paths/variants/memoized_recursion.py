from functools import cache


def count_paths(grid):
    """Right/down paths from top-left to bottom-right through '.' cells; each cell solved once."""
    rows, cols = len(grid), len(grid[0])

    @cache
    def walk(r, c):
        if r >= rows or c >= cols or grid[r][c] == "#":
            return 0
        if (r, c) == (rows - 1, cols - 1):
            return 1
        return walk(r + 1, c) + walk(r, c + 1)

    return walk(0, 0)
