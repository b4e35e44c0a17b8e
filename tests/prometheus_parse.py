"""Parses a Prometheus text exposition with the reference parser and prints
its samples as JSON lines: {"name", "labels", "value"}. Exits non-zero if the
text does not parse."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

text = open(sys.argv[1], encoding="utf-8").read()
for family in text_string_to_metric_families(text):
    for sample in family.samples:
        print(json.dumps({"name": sample.name, "labels": sample.labels, "value": sample.value}))
