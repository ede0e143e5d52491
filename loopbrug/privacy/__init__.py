"""Privacy: erasure on request, retention, masking of personal numbers, the statement.

``erasure`` deletes what the helpline's own tables hold about one person, ``retention`` runs
the sweep that deletes what is past its time, ``masking`` hides BSN, IBAN, phone numbers and
e-mail addresses before text reaches a ticket or a coach, ``statement`` is the privacy text
(data/privacy.yml) that the bot, the widget and /privacy all show. See README.md, "Privacy".
"""
