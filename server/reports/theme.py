"""The report's print palette and measures, in one place.

Print first: white paper, near-black text, thin grey rules, colour only where it
carries meaning (trend verdicts, the two chart series), and all of it still
readable when printed in greyscale (the two bar colours differ in lightness).
"""

from __future__ import annotations

Rgb = tuple[int, int, int]

FONT = "helvetica"

TEXT: Rgb = (25, 25, 25)
MUTED: Rgb = (100, 100, 100)
RULE: Rgb = (170, 170, 170)
GRID: Rgb = (225, 225, 225)

FAVORABLE: Rgb = (22, 128, 61)
UNFAVORABLE: Rgb = (190, 30, 45)
NEUTRAL: Rgb = (140, 140, 140)

OFFERS: Rgb = (150, 175, 205)
ACCEPTED: Rgb = (30, 70, 120)

# Millimetres (the document unit).
MARGIN = 15.0
FOOTER_HEIGHT = 12.0
RULE_WIDTH = 0.2
SECTION_GAP = 5.0


def verdict_colour(favorable: bool | None) -> Rgb:
    """Green for a change that helps, red for one that hurts, grey when undecided."""
    if favorable is None:
        return NEUTRAL
    return FAVORABLE if favorable else UNFAVORABLE
