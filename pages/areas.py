"""片区对比 Areas: one indicator and unit, totals by area and by case, area → category → case."""

from ui import compare_page, get_view

compare_page(get_view(), "area")
