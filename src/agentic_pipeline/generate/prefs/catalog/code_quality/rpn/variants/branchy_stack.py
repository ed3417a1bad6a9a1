def evaluate(expression):
    stack = []
    for t in expression.split(" "):
        if t == "":
            continue
        if t == "+":
            if len(stack) < 2:
                raise ValueError("stack")
            b = stack.pop()
            a = stack.pop()
            stack.append(a + b)
        elif t == "-":
            if len(stack) < 2:
                raise ValueError("stack")
            b = stack.pop()
            a = stack.pop()
            stack.append(a - b)
        elif t == "*":
            if len(stack) < 2:
                raise ValueError("stack")
            b = stack.pop()
            a = stack.pop()
            stack.append(a * b)
        elif t == "/":
            if len(stack) < 2:
                raise ValueError("stack")
            b = stack.pop()
            a = stack.pop()
            stack.append(a / b)
        else:
            try:
                stack.append(float(t))
            except:
                raise ValueError("bad token")
    if len(stack) != 1:
        raise ValueError("bad expression")
    return stack[0]
