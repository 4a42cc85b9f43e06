"""rulex: information-extraction rules that domain experts read, write and test."""
__version__ = "0.1.0"

from .document import Document  # noqa: E402
from .errors import RulexError  # noqa: E402
from .match import Argument, Match, Provenance  # noqa: E402
from .pack import Pack, check, compile_regexes, load  # noqa: E402

__all__ = ["Argument", "Document", "Match", "Pack", "Provenance", "RulexError", "check",
           "compile_regexes", "load", "__version__"]
