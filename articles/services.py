"""Writes with consequences for articles' reference data: the companies and categories an
editorial copy points at."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from .models import Article, Category, Company


def company_for_mention(*, name: str, ticker: str | None = None) -> Company:
    """The Company a mention refers to (by name, ticker or alias), created on first sight.

    A concurrent worker may create the same company between the lookup and the insert; the
    insert then runs in a savepoint and the lookup is repeated.
    """
    for _attempt in range(2):
        match = _find_company(name, ticker)
        if match is not None:
            known = {n.casefold() for n in match.all_names}
            if name.casefold() not in known:
                match.aliases = [*match.aliases, name]
                match.save(update_fields=["aliases"])
            return match
        base = slugify(name)[:190] or "company"
        slug, n = base, 2
        while Company.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        try:
            with transaction.atomic():
                return Company.objects.create(
                    name=name[:200], slug=slug, ticker=(ticker or "")[:20]
                )
        except IntegrityError:
            continue
    raise IntegrityError(f"could not create or find the company {name!r}")


def _find_company(name: str, ticker: str | None) -> Company | None:
    match = Company.objects.filter(name__iexact=name).first()
    if match is None and ticker:
        match = Company.objects.filter(ticker__iexact=ticker).first()
    if match is None:
        folded = name.casefold()
        for company in Company.objects.exclude(aliases=[]):
            if folded in (alias.casefold() for alias in company.aliases):
                return company
    return match


def category_for_name(
    name: str, *, create_from: tuple[str, ...] = ()
) -> Category | None:
    """The site category called ``name`` (any case); created when it is one of
    ``create_from`` (the default categories) and missing."""
    if not name:
        return None
    category = Category.objects.filter(name__iexact=name).first()
    if category is None and name in create_from:
        category, _ = Category.objects.get_or_create(
            slug=slugify(name), defaults={"name": name}
        )
    return category


def story_slug(article: Article) -> str:
    """A free, readable address for ``article``'s story: its headline, shortened at a word,
    with a number added when another story took it first."""
    base = slugify(article.title)[:100].rstrip("-")
    if len(slugify(article.title)) > 100 and "-" in base:
        base = base.rsplit("-", 1)[0]
    base = base or "story"
    slug, n = base, 2
    while Article.objects.filter(slug=slug).exclude(pk=article.pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
