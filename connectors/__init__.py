"""Input channels for Rasa: the guarded REST channel, Telegram and the web widget."""
