"""``python -m synapse_cli`` behaves exactly like the ``synapse`` console script."""

from synapse_cli.entry import main

if __name__ == "__main__":
    main()
