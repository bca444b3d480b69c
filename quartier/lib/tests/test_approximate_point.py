from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quartier.lib.geo import approximate_point


@given(st.floats(-90, 90), st.floats(-180, 180))
def test_the_approximate_point_is_the_nearest_node_of_a_fixed_hundredth_of_a_degree_grid(lat, lon):
    node_lat, node_lon = approximate_point(lat, lon)

    assert abs(node_lat - lat) <= 0.005 + 1e-9 and abs(node_lon - lon) <= 0.005 + 1e-9
    assert (round(node_lat, 2), round(node_lon, 2)) == (node_lat, node_lon)


@pytest.mark.parametrize("point", [(45.51501, -73.58499), (45.52, -73.58), (45.52499, -73.57501)])
def test_every_point_of_a_cell_gives_the_same_node(point):
    assert approximate_point(*point) == (45.52, -73.58)
