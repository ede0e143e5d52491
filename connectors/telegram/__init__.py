"""Telegram channel on python-telegram-bot (not Rasa's built-in aiogram channel).

``channel.py``  the Rasa input channel: webhook, secret, redelivery, one turn per chat at a time
``input.py``    update -> what to do (a text for Rasa, a direct reply)
``output.py``   Rasa's bot messages -> Telegram calls (plain text, inline keyboards, documents)
``split.py``    long messages cut at sentence ends within Telegram's 4096 characters
``payloads.py`` button payloads within Telegram's 64 bytes of callback_data
``bot.py``      the python-telegram-bot bot (rate limiter, token kept out of logs); no Rasa
``cli.py``      ``python -m connectors.telegram --set-webhook URL`` / ``--polling``

Rasa loads the channel as ``connectors.telegram.channel.TelegramInput`` (bot/serve.py writes
that into the credentials when TELEGRAM_BOT_TOKEN is set). Texts a person reads are
``channel.telegram_*`` in data/texts/nl/channel.yml.
"""
