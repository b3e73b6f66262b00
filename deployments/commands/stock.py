"""``reelflow stock``: the STOCK library (``add``, ``list``, ``remove``)."""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import Any

from reelflow.errors import InvalidArgument
from reelflow.settings import Settings


def register(commands: Any) -> None:
    stock = commands.add_parser(
        "stock", help="the stock library: files any script may use as stock:ID or stock:TAG")
    actions = stock.add_subparsers(dest="stock_action", metavar="ACTION", required=True)
    adder = actions.add_parser("add", help="copy a file into the stock library; prints its id")
    adder.add_argument("file", help="an image, audio or video file (judged by its content)")
    adder.add_argument("--tags", metavar="a,b",
                       help="comma-separated tags; a script's stock:TAG names the item added "
                            "first with that tag")
    adder.add_argument("--json", action="store_true", help="print one JSON object")
    adder.set_defaults(handler=add_stock)
    lister = actions.add_parser("list", help="every stock item: id, kind, tags, size, uses")
    lister.add_argument("--json", action="store_true", help="print a JSON list")
    lister.set_defaults(handler=list_stock)
    remover = actions.add_parser("remove", help="delete a stock item no video uses")
    remover.add_argument("id", help="the item's id (from reelflow stock list)")
    remover.add_argument("--json", action="store_true", help="print one JSON object")
    remover.set_defaults(handler=remove_stock)


def add_stock(args: argparse.Namespace, settings: Settings) -> None:
    from reelflow.services import stock

    added = stock.add(settings, Path(args.file), stock.parse_tags(args.tags))
    if args.json:
        print(json.dumps({**added.as_dict(), "id": str(added.asset_id)}))
        return
    tags = ", ".join(added.metadata.get("tags") or []) or "no tags"
    print(added.asset_id)
    print(f"  {added.kind}, {added.size:,} bytes, {tags}: use it as stock:{added.asset_id}")


def list_stock(args: argparse.Namespace, settings: Settings) -> None:
    from reelflow.services import stock

    items = stock.listing(settings)
    if args.json:
        print(json.dumps(items))
        return
    print(f"{'ID':36}  {'KIND':10} {'SIZE':>12} {'USES':>5}  TAGS")
    for item in items:
        size = "-" if item["file_size"] is None else f"{item['file_size']:,}"
        print(f"{item['id']:36}  {item['kind']:10} {size:>12} {item['uses']:>5}  "
              f"{', '.join(item['tags']) or '-'}")


def remove_stock(args: argparse.Namespace, settings: Settings) -> None:
    from reelflow.services import stock

    try:
        asset_id = uuid.UUID(args.id)
    except ValueError:
        raise InvalidArgument(f"{args.id!r} is not a stock item id") from None
    removed = stock.remove(settings, asset_id)
    print(json.dumps(removed) if args.json else f"removed {removed['id']}")
