"""领域分析 Categories: one indicator and unit, totals by category and by case, category → area → case."""

from ui import compare_page, get_view

compare_page(get_view(), "category")
