"""schemathesis against the OpenAPI document: generated requests never get a 5xx, and every response
conforms to the document (status code documented, content type, body schema).

Every operation is fuzzed as the operator (who may call the most routes) and as a subject. Examples are
bounded so the run stays well under a minute. (The operations are driven with Hypothesis directly rather than
through schemathesis' pytest plugin, whose lazy fixture loader does not run under pytest 9.)
"""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from credence.app import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {"operator": 12, "subject": 4}
HEAVY = {"POST /v1/scores/run": 2, "GET /v1/audit/drift": 3}  # whole-workspace jobs: few examples


@pytest.fixture(scope="module")
def fuzz_app(template, tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    shutil.copytree(template["root"], root)
    app = create_app(root)
    yield app
    app.state.ctx.ws.close()


def fuzz(op, key: str, examples: int) -> None:
    @given(case=op.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def run(case):
        # no read time-out: tests never assert timings (whole-workspace jobs are slow on a loaded machine)
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS, timeout=600)

    run()


@pytest.mark.parametrize("role", sorted(EXAMPLES))
def test_every_operation_conforms(fuzz_app, template, role):
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    failures, seen = [], 0
    for result in schema.get_all_operations():
        op = result.ok()
        seen += 1
        try:
            fuzz(op, template["keys"][role], min(EXAMPLES[role], HEAVY.get(op.label, EXAMPLES[role])))
        except (Exception, BaseExceptionGroup) as e:  # collect every operation's failure, then report them together
            failures.append(f"{op.label}: {str(e)[:1500]}")
    assert seen >= 30
    assert not failures, "\n\n".join(failures)
