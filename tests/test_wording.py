"""Problems as people read them on screen: places and people by name, never a JSON path or an id."""

from __future__ import annotations

import pytest

from planner.validation import Problem
from planner.wording import in_words
from tests.factories import demo_dict


@pytest.mark.parametrize(("path", "message", "said"), [
    ("$.coordinator[0].member", "'sw1' is not a team member",
     "Care coordinator, period 1, who: James Reed is not a team member"),
    ("$.coordinator[1].member", "'zz9' is not a team member",
     "Care coordinator, period 2, who: 'zz9' is not a team member"),  # a dangling id stays as typed
    ("$.steps[7].end", "the step ends before it starts",
     "Step “20 Jan 2024 · Emergency admission: fractured neck of femur”, end: the step ends before it starts"),
    ("$.handoffs[0].method", "is not one of the methods",
     "Handoff from “19 Jan 2024 · Fall at home; on the floor for four…” to "
     "“19 Jan 2024 · A&E: suspected hip fracture”, method: is not one of the methods"),
    ("$.care_plan.actions[1].owner", "'dn1' has left the team",
     "Action 2 (“Check her weight and ankles every…”), owner: Maeve O'Brien has left the team"),
    ("$.organisations[3].regulators[0]", "is not a regulator",
     "Organisation “South West Coast Ambulance Service”, regulators: is not a regulator"),
    ("$.person.nhs_number", "is not a valid NHS number", "Person, nhs number: is not a valid NHS number"),
    ("$.care_plan.review_on", "is not a real date", "Care plan, review date: is not a real date"),
])
def test_a_problem_in_words(path: str, message: str, said: str) -> None:
    assert in_words([Problem(path, message)], demo_dict()) == [said]
