"""Gazette file → documents and paragraphs → chunks → dense + lexical index."""
