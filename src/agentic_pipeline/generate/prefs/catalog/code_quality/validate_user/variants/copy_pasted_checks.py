import re


def validate(form):
    errors = []
    if "username" in form.keys():
        username = form["username"]
        if username.strip() == "":
            errors.append("username is required")
        else:
            if len(username) > 20:
                errors.append("username is too long")
    else:
        errors.append("username is required")
    if "email" in form.keys():
        email = form["email"]
        if email.strip() == "":
            errors.append("email is required")
        else:
            if not "@" in email:
                errors.append("email is invalid")
    else:
        errors.append("email is required")
    if "password" in form.keys():
        password = form["password"]
        if password.strip() == "":
            errors.append("password is required")
        else:
            if len(password) < 8:
                errors.append("password is too short")
    else:
        errors.append("password is required")
    return errors
