"""Plain-text tables: figures formatted by kind, ratios, aligned columns."""

from __future__ import annotations

Figure = float | bool | None


def fmt_num(value: Figure, kind: str) -> str:
    """kind: s = seconds, x = ratio, kib = bytes shown in KiB, n = count, bool."""
    if value is None:
        return "-"
    if kind == "s":
        return f"{value:.2f}"
    if kind == "x":
        return f"{value:.2f}"
    if kind == "kib":
        return f"{value / 1024:,.0f}" if value else "0"
    if kind == "n":
        return f"{value:,.0f}"
    if kind == "bool":
        return "yes" if value else "no"
    return str(value)


def ratio(a: Figure, b: Figure, kind: str) -> str:
    if kind in {"bool", "text", "x"} or a is None or b is None:
        return ""
    if b == 0:
        return "-" if a == 0 else "n/a"
    return f"{a / b:.2f}"


def table(rows: list[list[str]]) -> str:
    """The first row is the heading, underlined; the first column left-aligned, the others right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [c.rjust(widths[i]) for i, c in enumerate(r[1:], 1)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
