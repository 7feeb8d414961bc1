"""Corpus loaders: the chinese-poetry layout (directory or npm tarball), the Kaggle CSV, JSONL."""
