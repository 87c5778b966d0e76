"""`python -m factoryspec`: the same as the `factoryspec` command."""

from .cli import main

if __name__ == "__main__":
    main()
