#!/usr/bin/python3
"""Parses a Prometheus text exposition (stdin) with prometheus_client's own
parser, the one Prometheus' Python client ships, and prints it as JSON for
jq: {"families": {NAME: {"type", "help", "samples": [{"name", "labels",
"value"}]}}}. Exits 1 with the parser's complaint on stderr when the text
does not parse, or when a family repeats. Debian's python3-prometheus-client
is importable from /usr/bin/python3 only."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    families = {}
    try:
        for family in text_string_to_metric_families(sys.stdin.read()):
            if family.name in families:
                raise ValueError(f"family {family.name} appears twice")
            families[family.name] = {
                "type": family.type,
                "help": family.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
            }
    except Exception as e:  # the parser raises ValueError and others on bad input
        print(f"prometheus_json: {e}", file=sys.stderr)
        return 1
    json.dump({"families": families}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
