from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page: int | None = None):
    """A page of the queryset from ``?page=``; out-of-range or junk page numbers give the nearest page."""
    paginator = Paginator(queryset, per_page or settings.FUHE_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


class CheapPage:
    """A page that never counts the whole result (counting a million scoped rows costs more than the page):
    it fetches one row more than it shows to know whether a next page exists."""

    def __init__(self, rows: list, number: int, per_page: int):
        self.object_list = rows[:per_page]
        self.number = number
        self._has_next = len(rows) > per_page
        self.paginator = None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def paginate_without_count(request, queryset, per_page: int | None = None) -> CheapPage:
    per_page = per_page or settings.FUHE_PAGE_SIZE
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and 0 < int(raw) <= 10_000 else 1
    offset = (number - 1) * per_page
    return CheapPage(list(queryset[offset : offset + per_page + 1]), number, per_page)
