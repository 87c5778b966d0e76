"""The NetBox test server (tests/netbox_service.py) works: through pynetbox, a site, a
manufacturer, a device type, a device role, a rack and a device are created, read
back and deleted. Skips, with the reason, where NetBox cannot be started."""

from __future__ import annotations

import uuid

import pytest

pynetbox = pytest.importorskip("pynetbox")


def test_status_reports_the_pinned_version(netbox):
    status = netbox.api().status()
    assert status["netbox-version"] == netbox.version
    assert netbox.url.startswith("http://127.0.0.1:")
    assert netbox.token.startswith("nbt_")


def test_a_racked_device_round_trips(netbox):
    nb = netbox.api()
    tag = uuid.uuid4().hex[:8]                   # the server lives for the session: names stay unique
    made = []
    try:
        site = nb.dcim.sites.create(name=f"Hall {tag}", slug=f"hall-{tag}", status="active")
        made.append(site)
        maker = nb.dcim.manufacturers.create(name=f"Maker {tag}", slug=f"maker-{tag}")
        made.append(maker)
        dtype = nb.dcim.device_types.create(manufacturer=maker.id, model=f"GB200 {tag}", slug=f"gb200-{tag}",
                                            u_height=2)
        made.append(dtype)
        role = nb.dcim.device_roles.create(name=f"Compute {tag}", slug=f"compute-{tag}", color="76b900")
        made.append(role)
        rack = nb.dcim.racks.create(name=f"R{tag}", site=site.id, u_height=48, status="active")
        made.append(rack)
        device = nb.dcim.devices.create(name=f"node-{tag}", device_type=dtype.id, role=role.id, site=site.id,
                                        rack=rack.id, position=10, face="front", status="active")
        made.append(device)

        got = nb.dcim.devices.get(device.id)
        assert got.name == f"node-{tag}"
        assert got.site.id == site.id and got.site.slug == f"hall-{tag}"
        assert got.rack.id == rack.id and got.rack.name == f"R{tag}"
        assert got.device_type.id == dtype.id and got.device_type.model == f"GB200 {tag}"
        assert got.device_type.manufacturer.slug == f"maker-{tag}"
        assert got.role.id == role.id and got.role.slug == f"compute-{tag}"
        assert float(got.position) == 10 and got.face.value == "front"
        assert got.status.value == "active"

        got_rack = nb.dcim.racks.get(rack.id)
        assert got_rack.u_height == 48 and got_rack.site.id == site.id
        assert nb.dcim.device_types.get(dtype.id).u_height == 2
        assert nb.dcim.device_roles.get(slug=f"compute-{tag}").color == "76b900"
        assert [d.id for d in nb.dcim.devices.filter(site_id=site.id)] == [device.id]
    finally:
        for obj in reversed(made):               # the device first, the site last
            obj.delete()

    assert nb.dcim.devices.get(device.id) is None
    assert nb.dcim.sites.get(site.id) is None
