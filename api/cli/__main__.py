"""`python -m api.cli …` = the `medpolicy` command (useful from a checkout without installing it)."""

from api.cli import main

main()
