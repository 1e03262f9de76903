"""The same request gets the same bytes, however the engine splits the work."""

import httpx


def many_lines(n_lines: int) -> list[dict]:
    # Prices with many digits, so that adding them in another order shows.
    return [
        {
            "customer_id": f"c{index // 4}",
            "invoice_id": str(100_000 + index // 2),
            # The two lines of an invoice on one day (one purchase).
            "invoice_date": f"2025-{1 + index // 2 % 11:02d}-"
            f"{1 + index // 2 % 27:02d}T10:00:00",
            "product_id": f"P{index % 97}",
            "quantity": 1 + index % 7,
            "unit_price": round(0.37 + (index * 7919 % 1000) / 7.0, 6),
        }
        for index in range(n_lines)
    ]


def test_the_same_transaction_request_gives_the_same_bytes(client: httpx.Client):
    body = {"transactions": many_lines(20_000), "reference_date": "2026-01-01T00:00:00"}

    answers = [client.post("/v1/segments", json=body) for _ in range(3)]

    assert all(answer.status_code == 200 for answer in answers), answers[0].text
    first = answers[0].json()["segments"]
    assert len(first) == 5_000
    assert all(segment["distance_to_centre"] is not None for segment in first)
    assert answers[1].content == answers[0].content
    assert answers[2].content == answers[0].content
