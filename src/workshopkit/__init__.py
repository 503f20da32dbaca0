"""workshopkit: training modules in YAML + Markdown → participant and facilitator sites and PDFs."""

__version__ = "0.1.0"
