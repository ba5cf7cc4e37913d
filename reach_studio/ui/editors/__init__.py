"""The editors a claimed task opens in: timed text (captions, translation, EAD, chapters), voice (dubbing,
audio description), sign language and the live console, with their shared parts (journal, delivery run,
checks). `registry` says which editor serves which service feature; this package imports no Qt itself so
that the registry can be read without it."""
