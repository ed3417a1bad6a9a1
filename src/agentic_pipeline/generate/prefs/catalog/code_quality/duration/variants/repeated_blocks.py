import math
import time


def format_duration(seconds):
    if seconds < 0:
        raise ValueError("negative")
    if seconds == 0:
        return "0s"
    result = ""
    days = seconds // 86400
    seconds = seconds - days * 86400
    hours = seconds // 3600
    seconds = seconds - hours * 3600
    minutes = seconds // 60
    seconds = seconds - minutes * 60
    if days > 0:
        if result != "":
            result = result + " "
        result = result + str(days) + "d"
    if hours > 0:
        if result != "":
            result = result + " "
        result = result + str(hours) + "h"
    if minutes > 0:
        if result != "":
            result = result + " "
        result = result + str(minutes) + "m"
    if seconds > 0:
        if result != "":
            result = result + " "
        result = result + str(seconds) + "s"
    return result
