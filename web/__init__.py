"""The archive in a browser: pages, a JSON API and charts over the read side in ``pipelines``."""
