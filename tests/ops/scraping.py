"""Reading /metrics as Prometheus would."""
from __future__ import annotations

TOKEN = "metrics-token-for-the-tests-0123456789"


def scrape(app) -> str:
    app.config["METRICS_TOKEN"] = TOKEN
    response = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def samples(app) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted label pairs): value} of one scrape."""
    from prometheus_client.parser import text_string_to_metric_families

    found = {}
    for family in text_string_to_metric_families(scrape(app)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(app, name: str, **labels) -> float:
    return samples(app).get((name, tuple(sorted(labels.items()))), 0.0)
