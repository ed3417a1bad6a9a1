def convert(value, source, target):
    if source == "C" and target == "F":
        result = value * 9 / 5 + 32
        return round(result, 2)
    elif source == "C" and target == "K":
        result = value + 273.15
        return round(result, 2)
    elif source == "F" and target == "C":
        result = (value - 32) * 5 / 9
        return round(result, 2)
    elif source == "F" and target == "K":
        result = (value - 32) * 5 / 9 + 273.15
        return round(result, 2)
    elif source == "K" and target == "C":
        result = value - 273.15
        return round(result, 2)
    elif source == "K" and target == "F":
        result = (value - 273.15) * 9 / 5 + 32
        return round(result, 2)
    elif source == "C" and target == "C":
        return round(value, 2)
    elif source == "F" and target == "F":
        return round(value, 2)
    elif source == "K" and target == "K":
        return round(value, 2)
    else:
        raise ValueError("unknown scale")
