"""The console's ratings page and CSV split by the stage of the victim's journey."""
from __future__ import annotations

import csv
import io
import re

from tests.support.history import add_rating, london


def test_ratings_page_and_csv_split_by_stage(app, supervisor, clock, db):
    for rating, stage in ((5, "report"), (4, "report"), (1, "court_outcome")):
        engagement = add_rating(db, officer="MP001", borough="Camden", rating=rating,
                                rated_at=london(2026, 11, 16, 9, rating))
        engagement.stage = stage
        db.add(engagement)
    db.commit()
    html = supervisor.get("/console/supervisor/ratings?from=2026-11-09&to=2026-11-22").get_data(as_text=True)
    table = re.search(r'id="stage-table">(.*?)</table>', html, re.DOTALL).group(1)
    rows = {re.sub(r"<[^>]+>", "", row.split("</th>")[0]).strip(): re.findall(r'class="num">([^<]+)<', row)
            for row in table.split("<tr>")[2:]}
    assert rows["Reporting the crime"][:2] == ["2", "4.50"]
    assert rows["Court outcome"][:2] == ["1", "1.00"]
    assert rows["Officer visit or contact"][:2] == ["0", "–"]
    assert 'id="response-table"' in html
    export = supervisor.get("/console/supervisor/ratings.csv?from=2026-11-09&to=2026-11-22")
    lines = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert lines[0][-1] == "stage"
    assert sorted(line[-1] for line in lines[1:]) == ["court_outcome", "report", "report"]
