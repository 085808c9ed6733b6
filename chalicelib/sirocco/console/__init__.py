"""The web console (``/console``): static assets shipped with the package and
the graph of a workflow that the console draws (docs/console.md).

The console is a page that calls the same ``/v2`` API as any client; the only
thing computed for it server-side is ``graph``: a workflow spec as nodes and
edges, so that the browser never parses YAML.
"""
