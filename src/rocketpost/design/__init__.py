"""Network design: where to put landing sites, from world data (issues #13 and #15).

:mod:`.candidates` proposes sea landing sites near coastal cities, each with a real port, a
water route and its catchments; :mod:`.selection` picks a worldwide set and writes it as the
``[[landing_sites]]`` TOML the network loader reads. See ``docs/design.md``.
"""
