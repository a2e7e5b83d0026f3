"""The `evalkit` console script: one small module per subcommand under evalkit/commands/."""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand name -> module under evalkit.commands; each module defines HELP, add_arguments(parser), main(args)
COMMANDS = {
    "run": "run",
    "plan": "plan",
    "score": "score",
    "rescore": "rescore",
    "report": "report",
    "compare": "compare",
    "judge-agreement": "judge_agreement",
    "tasks": "tasks",
    "lock-datasets": "lock_datasets",
    "models": "models",
    "make-tiny-model": "make_tiny_model",
    "make-model-config": "make_model_config",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="Reproduce published omni-model benchmark scores with the official protocols; compare runs.",
        epilog="`evalkit COMMAND --help` describes each command.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"evalkit.commands.{module_name}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(_main=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args._main(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
