"""Phonology: 平仄 and rhyme groups from two rhyme books, 平水韵 (classical) and 中华新韵 (modern)."""
