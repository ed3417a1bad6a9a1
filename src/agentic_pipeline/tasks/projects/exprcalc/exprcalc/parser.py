"""A recursive-descent parser from tokens to a tree of tuples.

Grammar, lowest precedence first:
    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/" | "%") unary)*
    unary  := "-" unary | power
    power  := atom ("^" unary)?          right-associative, binds tighter than unary minus on its left
    atom   := number | name | name "(" args ")" | "(" expr ")"
Nodes: ("num", float), ("var", name), ("neg", node), ("bin", op, left, right), ("call", name, [args]).
"""

from __future__ import annotations

from exprcalc.lexer import ExpressionError, Token, tokenize


class Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.peek()
        if token.text != text:
            found = token.text or "end of input"
            raise ExpressionError(f"expected {text!r}, found {found!r}", token.position)
        return self.advance()

    def expr(self) -> tuple:
        node = self.term()
        while self.peek().text in ("+", "-"):
            op = self.advance().text
            node = ("bin", op, node, self.term())
        return node

    def term(self) -> tuple:
        node = self.unary()
        while self.peek().text in ("*", "/", "%"):
            op = self.advance().text
            node = ("bin", op, node, self.unary())
        return node

    def unary(self) -> tuple:
        if self.peek().text == "-":
            self.advance()
            return ("neg", self.unary())
        return self.power()

    def power(self) -> tuple:
        base = self.atom()
        if self.peek().text == "^":
            self.advance()
            return ("bin", "^", base, self.unary())
        return base

    def atom(self) -> tuple:
        token = self.advance()
        if token.kind == "number":
            return ("num", float(token.text))
        if token.kind == "name":
            if self.peek().text == "(":
                return ("call", token.text, self.arguments())
            return ("var", token.text)
        if token.text == "(":
            node = self.expr()
            self.expect(")")
            return node
        found = token.text or "end of input"
        raise ExpressionError(f"unexpected {found!r}", token.position)

    def arguments(self) -> list[tuple]:
        self.expect("(")
        args: list[tuple] = []
        if self.peek().text != ")":
            args.append(self.expr())
            while self.peek().text == ",":
                self.advance()
                args.append(self.expr())
        self.expect(")")
        return args


def parse(text: str) -> tuple:
    """The tree of a whole expression; trailing tokens are an error."""
    parser = Parser(tokenize(text))
    node = parser.expr()
    token = parser.peek()
    if token.kind != "end":
        raise ExpressionError(f"unexpected {token.text!r}", token.position)
    return node
