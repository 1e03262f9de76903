"""Request bodies the API tests share."""

LINE = {
    "customer_id": "c1",
    "invoice_id": "100",
    "invoice_date": "2025-11-01T10:00:00",
    "product_id": "P1",
    "quantity": 2,
    "unit_price": 3.5,
}
