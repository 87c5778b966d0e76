"""The typed semantic model of a factory, built from the resolved entities.

    build_model(resolved) -> Factory

`types` holds the attrs classes (Site, Utility, Building, PowerTrain, Hall,
Cdu, AirHandling, CoolingPlant, Reserved, System, Switch, Medium, Cluster,
Fabric, Cabling, Factory); `build` turns entities into them; `derive` adds
the estimates made before solving (placement, hall loads, fabric sizes);
`export` writes the model as JSON that validates against
factoryspec/schemas/model.schema.json. `graph` is the model as a networkx
graph (`factoryspec graph`); `allow` drops the warnings a block's `allow` names.
"""

from __future__ import annotations

from ..lang.resolve import Resolved
from .types import (AirHandling, Building, Cabling, Cdu, Cluster, CoolingPlant, Fabric, Factory, Hall,
                    HallLoad, Medium, Node, PowerTrain, Reserved, Site, Switch, System, Utility)

__all__ = ["build_model", "AirHandling", "Building", "Cabling", "Cdu", "Cluster", "CoolingPlant", "Fabric",
           "Factory", "Hall", "HallLoad", "Medium", "Node", "PowerTrain", "Reserved", "Site", "Switch",
           "System", "Utility"]


def build_model(resolved: Resolved) -> Factory:
    """The model of a resolved spec. Never raises for bad input: objects with
    erroneous values are left out (see build.py)."""
    from .build import Builder
    from .derive import derive

    factory = Builder(resolved).run()
    derive(factory)
    return factory
