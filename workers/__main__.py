"""`python -m workers [--burst]`: a worker on the settings in the environment."""
from __future__ import annotations

import argparse
import sys

from desk.settings import ConfigError
from workers import process
from workers.runtime import process_config


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="work until the queues are empty, then stop")
    parser.add_argument("--name", help="worker name (default: host and pid)")
    args = parser.parse_args(argv)
    try:
        config = process_config()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    process.run(config, burst=args.burst, name=args.name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
