"""Leader pages, thin: parse the request (``reports.forms``), ask ``reports.results``, present
(``reports.presenters``) and render. Imported by ``reports.urls`` only."""
