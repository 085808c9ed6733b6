"""The `sirocco` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .language import Document, ValidationFailed, parse_document


def _summary(document: Document) -> str:
    parts = []
    if document.workbook is not None:
        parts.append(f"workbook {document.workbook.name}")
    if document.workflows:
        parts.append("workflows: " + ", ".join(
            f"{wf.name} ({wf.type}, {len(wf.tasks)} tasks)" for wf in document.workflows))
    if document.actions:
        parts.append("actions: " + ", ".join(action.name for action in document.actions))
    return "; ".join(parts) or "nothing defined"


def validate(paths: Sequence[str]) -> int:
    """Print every error of every file with its location; 1 if any file has one."""
    failed = False
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: cannot read: {exc}")
            failed = True
            continue
        try:
            document = parse_document(text)
        except ValidationFailed as exc:
            failed = True
            count = len(exc.errors)
            print(f"{path}: {count} error{'s' if count != 1 else ''}")
            for error in exc.errors:
                print(f"  {path}: {error}")
            continue
        print(f"{path}: valid; {_summary(document)}")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sirocco", description="Mistral workflows on serverless AWS.")
    parser.add_argument("--version", action="version", version=f"sirocco {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "validate", help="check Workflow Language v2 files (workflows, workbooks, actions)")
    check.add_argument("files", nargs="+", metavar="FILE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "validate":
        return validate(args.files)
    return 2  # argparse refuses unknown commands before this line


if __name__ == "__main__":
    sys.exit(main())
