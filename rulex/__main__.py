"""`python -m rulex` is the `rulex` command."""
from .cli import main

main()
