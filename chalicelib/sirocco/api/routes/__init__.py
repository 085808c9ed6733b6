"""The API's routes, one module per resource group, all on ``api.http.blueprint``
(app.py registers it at the root). Importing this package binds every route."""

from sirocco.api.http import blueprint

from . import executions, workflows  # noqa: F401  (binding the routes is importing them)
from . import action_executions, tasks  # noqa: F401
from . import actions, environments, root, triggers, workbooks  # noqa: F401
from . import console  # noqa: F401
from . import openapi  # noqa: F401
from . import ops  # noqa: F401
from . import costs  # noqa: F401

__all__ = ["blueprint"]
