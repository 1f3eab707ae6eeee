def vnd(amount: int) -> str:
    """An amount in Vietnamese đồng as written on receipts in both languages: 35.000 đ."""
    return f"{amount:,} đ".replace(",", ".")
