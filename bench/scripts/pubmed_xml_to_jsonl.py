#!/usr/bin/env python3
"""PubMed XML (.xml or .xml.gz) to BEIR-style JSONL ({"_id", "title", "text"}) for the long-text benchmark.

The abstract is written as the index command stores it: one line per AbstractText, "LABEL: text" when
the section has a label. Usage: pubmed_xml_to_jsonl.py FILE... > out.jsonl
"""
import gzip
import json
import sys
import xml.etree.ElementTree as ET


def text_of(element):
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


for path in sys.argv[1:]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        for _, element in ET.iterparse(f):
            if element.tag != "PubmedArticle":
                continue
            pmid = text_of(element.find("./MedlineCitation/PMID"))
            title = text_of(element.find("./MedlineCitation/Article/ArticleTitle"))
            parts = []
            for a in element.findall("./MedlineCitation/Article/Abstract/AbstractText"):
                label = a.get("Label")
                parts.append(f"{label}: {text_of(a)}" if label else text_of(a))
            print(json.dumps({"_id": pmid, "title": title, "text": "\n".join(parts)}))
            element.clear()
