"""sanshen's HTTP service: the app factory `service.app:create_app`, run by `sanshen serve`
(docs/service.md). It imports `linter`; `linter` never imports it."""
