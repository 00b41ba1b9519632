"""What a finding predicts for the daemon: the shared words rules use in messages.

Three outcomes, each with one phrase and one default severity, so that "fails at start",
"needs a file at start", "fails every build" and "refused by buildx" mean the same thing in
every rule and in docs/rules.md (the `Outcomes` section is generated from `OUTCOMES`):

- FAILS_AT_START: buildkitd exits (or never answers) whatever machine it runs on.
- NEEDED_AT_START: buildkitd opens a file or service when it starts and exits without it;
  whether it is there depends on the machine (or builder image) the daemon runs on.
- FAILS_EVERY_BUILD: the daemon starts, but every build (or every build that uses the
  setting) fails.
- BUILDX_REFUSES: buildkitd starts with the file, but `docker buildx create --config` (and
  so docker/setup-buildx-action) parses it more strictly and refuses it.

Every start-up claim is backed by a recorded run of buildkitd in tests/vectors/startup/.
"""

from __future__ import annotations

from bklint.rules.base import Severity
from bklint.rules.record import FrozenRecord


class Outcome(FrozenRecord):
    __slots__ = ("meaning", "name", "phrase", "severity")

    name: str
    phrase: str
    severity: Severity
    meaning: str

    def __init__(self, name: str, phrase: str, severity: Severity, meaning: str) -> None:
        self.name = name
        self.phrase = phrase
        self.severity = severity
        self.meaning = meaning


FAILS_AT_START = Outcome(
    "fails at start",
    "buildkitd refuses to start",
    Severity.ERROR,
    "buildkitd exits at start-up (or never answers) on every machine.",
)
NEEDED_AT_START = Outcome(
    "needed at start",
    "buildkitd opens this at start and refuses to start without it",
    Severity.WARNING,
    "buildkitd opens a file or service when it starts and exits without it; bklint cannot see the "
    "builder's filesystem, so this is a warning naming what must exist there.",
)
FAILS_EVERY_BUILD = Outcome(
    "fails every build",
    "buildkitd starts, but every build fails",
    Severity.ERROR,
    "The daemon starts; builds that use the setting fail.",
)
BUILDX_REFUSES = Outcome(
    "refused by buildx",
    "`docker buildx create --config` (and docker/setup-buildx-action) refuses the file; buildkitd itself "
    "starts with it",
    Severity.ERROR,
    "buildx parses the whole file strictly before it creates a builder; buildkitd skips values under keys it "
    "does not know. The error stays an error for buildx users.",
)

OUTCOMES: tuple[Outcome, ...] = (FAILS_AT_START, NEEDED_AT_START, FAILS_EVERY_BUILD, BUILDX_REFUSES)
