"""What every budgeting page needs: the process, found by its area's code and its own slug."""

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404

from commonweal.places.models import User

from ..models import Process, VoterRoll

# The process's area and every area above it (areas are at most four deep), in the same query.
AREA_LINEAGE = "area__parent__parent__parent"


def get_process(code: str, slug: str, voter: User | None = None) -> Process:
    """The process with this slug in this area; a process of another area is not found (404).

    Given a voter, the process also carries `voter_channel`: how that person is marked on its roll
    ("online" or "paper"), or None if they have not voted, read in the same query. It then comes
    with its area alone, not the areas above: the vote view checks where the voter lives, which
    reads the voter's area and its parents, never the process area's.
    """
    processes = Process.objects.select_related(AREA_LINEAGE if voter is None else "area")
    if voter is not None:
        roll = VoterRoll.objects.filter(process=OuterRef("pk"), voter=voter).values("channel")[:1]
        processes = processes.annotate(voter_channel=Subquery(roll))
    return get_object_or_404(processes, area__code=code, slug=slug)
