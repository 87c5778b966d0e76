"""A row busway's rating from its rated current, by the hall's distribution.

Busways are sold by current (Starline T5: 250/400/800 A; busducts to 5,000 A
and more); a hall may write `busway_current` instead of `busway`:

* AC, three-phase (`distribution = "ac"`, the default): the apparent power is
  sqrt(3) x line-to-line voltage x current, and the real power the racks may
  draw is that x `power_factor` (default 1, kVA = kW, as planners size them).
  Default voltage 415 V: 800 A carries 575.04 kW.
* DC (`distribution = "dc"`, e.g. the 800 V DC busbars of Kyber-class racks):
  voltage x current, no phase factor and no power factor. Default 800 V:
  800 A carries 640 kW; the same 575 kW takes 719 A, not 800 A.

sqrt(3) is irrational and every figure here is an exact fraction, so it is
taken to 12 significant digits (1.73205080757): a rating is then exact to
well under a watt per megawatt.
"""

from __future__ import annotations

from fractions import Fraction

from ..lang.units import POWER, Quantity

SQRT3 = Fraction("1.73205080757")
DEFAULT_VOLTS = {"ac": Fraction(415), "dc": Fraction(800)}
DISTRIBUTIONS = tuple(DEFAULT_VOLTS)


def busway_rating(current: Quantity, distribution: str, voltage: Quantity | None,
                  power_factor: Fraction) -> Quantity:
    """The busway's power rating (W) for `current` (A) on `distribution`. An
    unknown distribution is taken as AC here; checks/busway.py reports it."""
    volts = voltage.value if voltage is not None else DEFAULT_VOLTS.get(distribution, DEFAULT_VOLTS["ac"])
    if distribution == "dc":
        return Quantity(volts * current.value, POWER)
    return Quantity(SQRT3 * volts * current.value * power_factor, POWER)
