import heapq


def rooms_needed(meetings):
    """Fewest rooms for meetings occupying [start, end)."""
    ends = []  # end times of the meetings holding a room
    for start, end in sorted(meetings):
        if ends and ends[0] <= start:
            heapq.heapreplace(ends, end)  # the room freed first is reused
        else:
            heapq.heappush(ends, end)
    return len(ends)
