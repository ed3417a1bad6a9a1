import os, mimetypes


def content_type(filename):
    if "." in filename:
        ext = filename[filename.rfind(".") :]
    else:
        ext = ""
    ext = ext.lower()
    if ext == ".html":
        return "text/html"
    elif ext == ".htm":
        return "text/html"
    elif ext == ".css":
        return "text/css"
    elif ext == ".js":
        return "text/javascript"
    elif ext == ".json":
        return "application/json"
    elif ext == ".png":
        return "image/png"
    elif ext == ".jpg":
        return "image/jpeg"
    elif ext == ".jpeg":
        return "image/jpeg"
    elif ext == ".svg":
        return "image/svg+xml"
    elif ext == ".txt":
        return "text/plain"
    else:
        return "application/octet-stream"
