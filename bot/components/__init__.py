"""Custom Rasa graph components (loaded by module path from bot/config.yml)."""
