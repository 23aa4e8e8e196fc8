"""Draw the field app's icons (static/img/field/icon-192.png, icon-512.png) with Pillow.

A map pin with a check mark over 现场 on the app's green, inside the central 80 % so that the
512 px icon also serves as a maskable icon. Run once after a change:
``.venv/bin/python scripts/field_icons.py`` (the PNGs are committed; nothing runs at start-up).
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "static" / "img" / "field"
GREEN, WHITE = (29, 93, 79), (255, 255, 255)
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def draw(size):
    scale = 4  # drawn large, then reduced: smooth edges
    big = size * scale
    image = Image.new("RGB", (big, big), GREEN)
    pen = ImageDraw.Draw(image)
    cx, top, radius = big / 2, big * 0.17, big * 0.19
    pen.ellipse([cx - radius, top, cx + radius, top + 2 * radius], fill=WHITE)
    tip = top + 2 * radius + big * 0.15
    pen.polygon(
        [
            (cx - radius * 0.82, top + radius * 1.55),
            (cx + radius * 0.82, top + radius * 1.55),
            (cx, tip),
        ],
        fill=WHITE,
    )
    cy = top + radius
    check = [
        (cx - radius * 0.5, cy + radius * 0.02),
        (cx - radius * 0.12, cy + radius * 0.38),
        (cx + radius * 0.52, cy - radius * 0.36),
    ]
    pen.line(check, fill=GREEN, width=int(radius * 0.22), joint="curve")
    try:
        font = ImageFont.truetype(FONT, int(big * 0.17))
        pen.text((cx, big * 0.8), "现场", font=font, fill=WHITE, anchor="mm")
    except OSError:
        pass
    return image.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
        print(OUT / f"icon-{size}.png")
