"""Network design: where to put landing sites, from world data (issues #13 and #15).

:mod:`.candidates` proposes sea landing sites near coastal cities, each with a real port, a
water route and its catchments; :mod:`.selection` picks a worldwide set by drone catchment and
writes it as the ``[[landing_sites]]`` TOML the network loader reads. The designer chooses among
the candidates for the most one-hour rocket reach: :mod:`.demand` (cities or orders),
:mod:`.coverage` (which site covers which point, through the door-to-door kernel), :mod:`.mclp`
(the maximal covering model: HiGHS, CP-SAT, greedy), :mod:`.costs` (the annual cost model),
:mod:`.analysis` (frontier, marginal values, binding legs, sensitivity), :mod:`.report` (tables,
plots, map, GeoJSON), :mod:`.network_file` (the designed network as TOML) and :mod:`.economics`
(flights, fill, airframes and cost per kg). See ``docs/design.md``.
"""
