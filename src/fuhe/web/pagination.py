from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page: int | None = None):
    """A page of the queryset from ``?page=``; out-of-range or junk page numbers give the nearest page."""
    paginator = Paginator(queryset, per_page or settings.FUHE_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))
