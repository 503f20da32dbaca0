"""The event kit: what a facilitator needs to run one workshop with a given group of people.

An event lives in ``events/<event-id>/`` (git-ignored, private): ``event.yml`` (which workshop,
the venue, the certificates) and ``roster.csv`` (who takes part), optionally ``attendance.csv``
(who came on which day) and, after the workshop, the answers of the knowledge test and the
evaluation (CSV files exported from KoboToolbox/ODK or typed into the kit's entry sheets). Only
``workshopkit event`` reads it, and writes into ``build/events/<event-id>/``, outside every
site; names appear only in the sign-in sheets, the name tents and the certificates; the
results report and the evaluation summary (``results/``) know participants by code only.
"""
