"""Importers: lyric sheets songwriters already hold (Suno-style tags, ChordPro,
plain stanzas) turned into a neutral sheet (`sheet`), then into canonical
`.song` text (`to_song`)."""
