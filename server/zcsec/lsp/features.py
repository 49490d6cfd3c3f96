"""Feature modules of the language server; importing one registers its handlers."""
from . import actions  # noqa: F401
from . import hover  # noqa: F401
from . import navigation  # noqa: F401
from . import completion  # noqa: F401
