"""Reading order for PDF pages: running header, body zones from top to bottom, then footer.

A body zone is either full-width (rows crossing the column gutter: titles,
spanning headers, floats) or a band of columns, read left column first;
small-print notes at the foot of a column wait until the columns of their zone
are done, so they never split a sentence that runs on into the next column.
Pure functions over word boxes; coordinates are PDF points, y growing downwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise

from .pdf_layout import Line, Word, build_rows, leaf_lines, weighted_size

MAX_DEPTH = 3  # gutters inside gutters (sidebar next to two columns)
MIN_GUTTER = 5.0  # points


def _segments(words: list[Word]) -> list[tuple[float, float]]:
    """Horizontal extents of runs of words on one row with no gap wider than an em."""
    extents: list[tuple[float, float]] = []
    for row in build_rows(words):
        start, end = row.words[0].x0, row.words[0].x1
        for previous, word in pairwise(row.words):
            if word.x0 - previous.x1 > max(previous.size, word.size):
                extents.append((start, end))
                start = word.x0
            end = max(end, word.x1)
        extents.append((start, end))
    return extents


def _crossing_profile(extents: list[tuple[float, float]], start: float, bins: int) -> list[int]:
    """How many extents cross each 1-point strip from ``start`` on."""
    diff = [0] * (bins + 2)
    for x0, x1 in extents:
        first = max(0, math.floor(x0 - start))
        last = min(bins, math.ceil(x1 - start))
        if last > first:
            diff[first] += 1
            diff[last] -= 1
    counts: list[int] = []
    running = 0
    for index in range(bins):
        running += diff[index]
        counts.append(running)
    return counts


def _low_runs(counts: list[int], ceiling: int) -> list[tuple[int, int]]:
    """(start, length) of the runs of strips crossed by at most ``ceiling`` words, widest first."""
    runs: list[tuple[int, int]] = []
    index = 0
    while index < len(counts):
        if counts[index] <= ceiling:
            start = index
            while index < len(counts) and counts[index] <= ceiling:
                index += 1
            runs.append((start, index - start))
        else:
            index += 1
    return sorted(runs, key=lambda run: -run[1])


@dataclass
class _Zone:
    """A horizontal slice of a region: full-width words, or the words left and right of the gutter."""

    full: list[Word] = field(default_factory=list)
    left: list[Word] = field(default_factory=list)
    right: list[Word] = field(default_factory=list)


def _zones(words: list[Word], gutter: tuple[float, float]) -> list[_Zone]:
    """Slice a region at the rows that span the gutter; the rest falls to one side or the other.

    A word spans the gutter when it covers at least half of it (or 3 points);
    one merely grazing its edge goes to the side holding its centre.
    """
    g0, g1 = gutter
    middle = (g0 + g1) / 2
    reach = min(3.0, 0.5 * (g1 - g0))
    spanning = [w for w in words if min(w.x1, g1) - max(w.x0, g0) >= reach]
    bands: list[list[float]] = []
    for top, bottom in sorted((w.top, w.bottom) for w in spanning):
        if bands and top <= bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], bottom)
        else:
            bands.append([top, bottom])
    slots: dict[int, _Zone] = {}
    for word in words:
        slot = -1
        for index, (top, bottom) in enumerate(bands):
            if min(bottom, word.bottom) - max(top, word.top) >= 0.4 * word.height:
                slot = 2 * index + 1
                break
        if slot >= 0:
            slots.setdefault(slot, _Zone()).full.append(word)
            continue
        slot = 2 * sum(1 for top, _ in bands if top <= word.middle)
        zone = slots.setdefault(slot, _Zone())
        (zone.left if (word.x0 + word.x1) / 2 < middle else zone.right).append(word)
    return [slots[slot] for slot in sorted(slots)]


def _side_by_side(zone: _Zone) -> bool:
    """Three or more lines of the left column stand level with a line of the right one."""
    if len(zone.left) < 6 or len(zone.right) < 6:
        return False
    left, right = build_rows(zone.left), build_rows(zone.right)
    paired = sum(1 for a in left if any(min(a.bottom, b.bottom) > max(a.top, b.top) for b in right))
    return paired >= 3


def column_zones(words: list[Word]) -> list[_Zone] | None:
    """The region sliced into zones at its column gutter, or None when it has no columns."""
    found = _gutter_zones(words)
    return found[1] if found else None


def column_gutter(words: list[Word]) -> tuple[float, float] | None:
    """The left and right edges of the region's column gutter, or None when it has no columns."""
    found = _gutter_zones(words)
    return found[0] if found else None


def _gutter_zones(words: list[Word]) -> tuple[tuple[float, float], list[_Zone]] | None:
    """The gutter and the zones it slices the region into.

    The gutter is sought in the middle 60% of the words' horizontal extent,
    among the strips crossed by the fewest runs of running-text words (titles
    in large print may span it). It must be MIN_GUTTER wide and, in some zone,
    have columns standing side by side; a chance alignment of word spaces in
    one column does not.
    """
    if len(words) < 12:
        return None
    low = min(w.x0 for w in words)
    width = max(w.x1 for w in words) - low
    if width < 60:
        return None
    sizes = sorted(w.size for w in words)
    running_text = [w for w in words if w.size <= 1.25 * sizes[len(sizes) // 2]]
    band_low = low + 0.2 * width
    counts = _crossing_profile(_segments(running_text), band_low, int(0.6 * width))
    fewest = min(counts)
    for start, length in _low_runs(counts, fewest + 1 + fewest // 10):
        if length < MIN_GUTTER:
            break
        gutter = (band_low + start, band_low + start + length)
        zones = _zones(words, gutter)
        if any(_side_by_side(zone) for zone in zones):
            return gutter, zones
    return None


def _split_tail(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Footnotes: trailing lines in smaller print, set off by a gap, at a column's foot."""
    if len(lines) < 4:
        return lines, []
    size = weighted_size(lines)
    cut = len(lines)
    while cut > 1 and lines[cut - 1].size < 0.88 * size:
        cut -= 1
    if cut == len(lines) or cut < 2:
        return lines, []
    gap = lines[cut].top - lines[cut - 1].bottom
    if gap < 0.5 * lines[cut].size:
        return lines, []
    return lines[:cut], lines[cut:]


def order_lines(words: list[Word], depth: int = 0) -> list[Line]:
    """The lines of a region in reading order, columns read one after another."""
    zones = column_zones(words) if depth < MAX_DEPTH else None
    if zones is None:
        return leaf_lines(words)
    lines: list[Line] = []
    for zone in zones:
        if zone.full:
            lines.extend(leaf_lines(zone.full))
            continue
        left, left_notes = _split_tail(order_lines(zone.left, depth + 1))
        right, right_notes = _split_tail(order_lines(zone.right, depth + 1))
        for part in (left, right, left_notes, right_notes):
            if part:
                part[0].column_start = True
                lines.extend(part)
    return lines


def split_margins(
    words: list[Word], height: float, header: bool = True
) -> tuple[list[Word], list[Word], list[Word]]:
    """(header, body, footer) words: top or bottom bands set off by a clear gap."""
    if not words:
        return [], [], []
    sizes = sorted(w.size for w in words)
    gap_needed = max(6.0, sizes[len(sizes) // 2])
    spans: list[list[float]] = []
    for top, bottom in sorted((w.top, w.bottom) for w in words):
        if spans and top <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], bottom)
        else:
            spans.append([top, bottom])
    head_cut = -math.inf
    if header:
        for index in range(len(spans) - 1):
            if spans[index][1] > 0.12 * height:
                break
            if spans[index + 1][0] - spans[index][1] >= gap_needed:
                head_cut = spans[index][1]
    foot_cut = math.inf
    for index in range(len(spans) - 1, 0, -1):
        if spans[index][0] < 0.88 * height:
            break
        if spans[index][0] - spans[index - 1][1] >= gap_needed:
            foot_cut = spans[index][0]
    head = [w for w in words if w.bottom <= head_cut]
    foot = [w for w in words if w.top >= foot_cut]
    body = [w for w in words if head_cut < w.bottom and w.top < foot_cut]
    if not body:
        return [], words, []
    return head, body, foot


def page_lines(words: list[Word], height: float, header: bool = True) -> list[Line]:
    """All lines of a page in reading order: header, body, footer."""
    head, body, foot = split_margins(words, height, header=header)
    lines: list[Line] = []
    for part, margin in ((head, True), (body, False), (foot, True)):
        ordered = leaf_lines(part) if margin else order_lines(part)
        for line in ordered:
            line.margin = margin
        lines.extend(ordered)
    return lines
