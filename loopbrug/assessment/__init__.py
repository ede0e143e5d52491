"""Persoonlijk Profiel: the guided self-test, its scoring and the profile it produces.

One job per module, none of them imports Rasa:

- ``questions``: load and check ``data/assessment/questions.yml`` (on first use).
- ``interpret``: read one typed reply as an answer, a skip or "ask again".
- ``scoring``: the answers become a ``Profile`` (levels, barriers, next steps).
- ``profile``: the ``Profile`` as data, and its stored JSON form.
- ``render``: the profile message and the short summary in the chat.
- ``export``: the profile as a plain-text file.
- ``files``: the file per channel, and download links for the web widget.
- ``mailing``: mailing the profile.
- ``store``: the finished profile on ``loopbrug.db``.
- ``domain``: build tool, writes the form into the Rasa domain
  (``python -m loopbrug.assessment.domain``).

Flow: the form (``actions/selftest.py``) asks the questions one per message; ``interpret``
turns each reply into an answer; ``score_profile`` turns the answers into a ``Profile``;
``render_profile`` is the chat message. Every sentence a person reads is a text by key in
``data/texts/nl/assessment.yml`` (the chat) and ``profile.yml`` (summary, file, mail).
"""
