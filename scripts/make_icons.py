"""Draw the web app's PNG icons from the favicon's design (web/static/web/favicon.svg): 192 and
512 px ("any": the round badge on transparency) and 512 px maskable (the bird inside the safe zone
of a full-bleed square, which the platform crops to its own shape). Run once after changing the
favicon; the PNGs are committed.

    .venv/bin/python scripts/make_icons.py
"""

import re
from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parents[1] / "web" / "static" / "web"
BLUE, WHITE = (11, 87, 208, 255), (255, 255, 255, 255)
SUPERSAMPLE = 4  # drawn larger, then scaled down: smooth edges without an SVG renderer


def bird_outline() -> list[tuple[float, float]]:
    """The favicon's bird path (in its 32-unit box) as a polygon: M, relative c and l, z."""
    svg = (STATIC / "favicon.svg").read_text()
    path = re.search(r'<path d="([^"]+)"', svg)
    assert path, "favicon.svg has no path"
    tokens = re.findall(r"[MmCcLlZz]|-?\d*\.?\d+", path.group(1))
    points: list[tuple[float, float]] = []
    x = y = 0.0
    command = ""
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                continue
        numbers = [float(token) for token in tokens[i : i + (6 if command in "Cc" else 2)]]
        if command == "M":
            x, y = numbers
            points.append((x, y))
        elif command in "Ll":
            x, y = (x + numbers[0], y + numbers[1]) if command == "l" else tuple(numbers)
            points.append((x, y))
        elif command in "Cc":
            dx = (x, y) if command == "c" else (0.0, 0.0)
            c1 = (dx[0] + numbers[0], dx[1] + numbers[1])
            c2 = (dx[0] + numbers[2], dx[1] + numbers[3])
            end = (dx[0] + numbers[4], dx[1] + numbers[5])
            for step in range(1, 17):
                t = step / 16
                points.append(
                    (
                        (1 - t) ** 3 * x
                        + 3 * (1 - t) ** 2 * t * c1[0]
                        + 3 * (1 - t) * t**2 * c2[0]
                        + t**3 * end[0],
                        (1 - t) ** 3 * y
                        + 3 * (1 - t) ** 2 * t * c1[1]
                        + 3 * (1 - t) * t**2 * c2[1]
                        + t**3 * end[1],
                    )
                )
            x, y = end
        else:
            raise ValueError(f"path command {command!r} is not handled")
        i += len(numbers)
    return points


def icon(size: int, *, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    outline = bird_outline()
    if maskable:
        # Full bleed; the bird, half the icon wide, centred within the central 80 % circle that
        # every platform's mask keeps.
        draw.rectangle((0, 0, big, big), fill=BLUE)
        xs, ys = [px for px, _ in outline], [py for _, py in outline]
        scale = big * 0.5 / (max(xs) - min(xs))
        dx = big / 2 - scale * (min(xs) + max(xs)) / 2
        dy = big / 2 - scale * (min(ys) + max(ys)) / 2
    else:
        draw.ellipse((big / 32, big / 32, big * 31 / 32, big * 31 / 32), fill=BLUE)
        scale, dx, dy = big / 32, 0.0, 0.0
    draw.polygon([(dx + px * scale, dy + py * scale) for px, py in outline], fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
    ):
        icon(size, maskable=maskable).save(STATIC / name, optimize=True)
        print(STATIC / name)


if __name__ == "__main__":
    main()
