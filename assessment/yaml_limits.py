"""YAML read with limits: every YAML file the product reads (instrument files, import
mapping files) goes through :func:`yaml_load_bounded`, so a file nested thousands of levels
deep or far too large is refused with a message instead of exhausting the parser's
recursion (a RecursionError, an HTTP 500 in the admin). Pure: no Django."""

from __future__ import annotations

from typing import Any

import yaml

MAX_YAML_DEPTH = 50  # nesting of mappings and sequences; our formats need about 6
MAX_YAML_BYTES = 2 * 1024 * 1024  # 2 MB; a large instrument file is about 60 kB

_OPENING = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
            yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)  # fmt: skip
_CLOSING = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


class YamlLimitError(ValueError):
    """A YAML text beyond :data:`MAX_YAML_DEPTH` or :data:`MAX_YAML_BYTES`; the message says
    which limit, in words a user can act on."""


def yaml_load_bounded(text: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """``yaml.load(text, loader)`` once ``text`` is known to be at most MAX_YAML_BYTES
    (UTF-8) and nested at most MAX_YAML_DEPTH levels (counted on the scanner's tokens, which
    PyYAML produces without recursion). Raises YamlLimitError beyond a limit and
    yaml.YAMLError for invalid YAML, as ``yaml.load`` does."""
    size = len(text.encode("utf-8"))
    if size > MAX_YAML_BYTES:
        raise YamlLimitError(f"the file is {size:,} bytes; at most {MAX_YAML_BYTES:,} are read")
    depth = deepest = 0
    for token in yaml.scan(text, Loader=loader):
        if isinstance(token, _OPENING):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_YAML_DEPTH:
                raise YamlLimitError(
                    f"it is nested more than {MAX_YAML_DEPTH} levels deep (line "
                    f"{token.start_mark.line + 1}); no valid file comes close"
                )
        elif isinstance(token, _CLOSING):
            depth -= 1
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader (or subclass)
    except RecursionError:  # pragma: no cover - the depth check above comes first
        raise YamlLimitError("it is nested too deep to read") from None
