"""The social-value measures Commonweal ships: our own illustrative list, not the National TOMs.

The idea (a measure, its unit, and a proxy £ value per unit, so commitments in different units can
be added up) comes from the National TOMs framework of the Social Value Portal; the measures and
figures below are ours, round numbers chosen to be plausible for a demonstration. An authority
should replace them with values it can defend before relying on them in a real award.
"""

from __future__ import annotations

from decimal import Decimal

# code, name, unit, proxy £ per unit
ILLUSTRATIVE_MEASURES = [
    ("CW-EMP", "Local people employed on the contract", "full-time years", Decimal("24000")),
    ("CW-APP", "Apprenticeship weeks for local people", "weeks", Decimal("200")),
    ("CW-NEET", "Training or work placements for young people not in work or education", "weeks",
     Decimal("150")),
    ("CW-VOL", "Staff volunteering with local community groups", "hours", Decimal("16")),
    ("CW-LOC", "Supply-chain spend with local small firms and VCSEs", "£ spent", Decimal("0.20")),
    ("CW-CO2", "Carbon emissions avoided", "tonnes CO2e", Decimal("70")),
]
