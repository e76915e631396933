"""Leader URLs (filled in by the report views)."""

app_name = "reports"
urlpatterns: list = []
