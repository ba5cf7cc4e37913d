"""Media tools: ffmpeg from pip, probing, HLS/HTTP fetch, waveform peaks. No Qt here."""
