from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import feeds, views
from .cache import public_page
from .sitemaps import SITEMAPS
from .views_seo import news_sitemap

app_name = "public"

urlpatterns = [
    path("", views.front, name="front"),
    path("top/", views.top, name="top"),
    path("story/<slug:slug>/", views.story, name="story"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("category/<slug:slug>/", views.category, name="category"),
    path("company/<slug:slug>/", views.company, name="company"),
    path("source/<slug:slug>/", views.source, name="source"),
    path("search/", views.search, name="search"),
    path("feed/rss/", public_page(feeds.LatestStories()), name="feed"),
    path("feed/atom/", public_page(feeds.LatestStoriesAtom()), name="atom_feed"),
    path(
        "category/<slug:slug>/rss/",
        public_page(feeds.CategoryStories()),
        name="category_feed",
    ),
    path(
        "company/<slug:slug>/rss/",
        public_page(feeds.CompanyStories()),
        name="company_feed",
    ),
    path(
        "source/<slug:slug>/rss/",
        public_page(feeds.SourceStories()),
        name="source_feed",
    ),
    path(
        "sitemap.xml",
        public_page(sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("news-sitemap.xml", public_page(news_sitemap), name="news_sitemap"),
    path("robots.txt", views.robots, name="robots"),
]
