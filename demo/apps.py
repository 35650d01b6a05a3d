from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data, the seeded company and the benchmarks: development tools, not the product.

    Product code (config, reception, approvals, visits) never imports this app (an
    import-linter contract in pyproject.toml); it is installed only for its management
    commands: demo, seed_company, bench_pages and bench_documents."""

    name = "demo"
