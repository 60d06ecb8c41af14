import Foundation

/// The small expression language of `condition`, `set` and `enqueue.priority`:
///
///     balance < 0 && tier == 'gold'        len(account) == 8        not (attempts >= 3)
///     amount * 100 % 7                      contains(status, "ship")  lower(lang) == "zh-cn"
///
/// Literals: numbers (decimal), `'…'` / `"…"` strings, `true`, `false`, `null`. Names: variables,
/// dotted (`order.status`); unknown ones are null. Operators by precedence: `||`/`or`, `&&`/`and`,
/// `!`/`not`, comparisons, `+ -`, `* / %`, unary `-`. Functions: `len`, `contains`, `startsWith`,
/// `lower`, `upper`, `number`, `round(x, places)`.
public indirect enum IVRExpression: Sendable, Equatable, Hashable {
    case literal(IVRValue)
    case variable(String)
    case unary(String, IVRExpression)
    case binary(String, IVRExpression, IVRExpression)
    case call(String, [IVRExpression])

    /// Functions and their argument counts.
    public static let functions: [String: ClosedRange<Int>] = [
        "len": 1...1, "contains": 2...2, "startsWith": 2...2, "lower": 1...1, "upper": 1...1,
        "number": 1...1, "round": 1...2,
    ]

    /// Longest expression source accepted (characters).
    public static let maxLength = 1_000
    /// Deepest nesting of parentheses, calls and prefix operators the parser follows.
    public static let maxNesting = 32
    /// Deepest expression tree accepted (a left-leaning chain like `1+1+…` counts too): evaluation
    /// recurses over it.
    public static let maxDepth = 64

    /// Parses `source`; throws ``IVRExpressionError`` with the offset of the problem. Work is
    /// bounded: a flow is tenant input, so length, nesting and tree depth have limits.
    public static func parse(_ source: String) throws(IVRExpressionError) -> IVRExpression {
        guard source.count <= maxLength else {
            throw IVRExpressionError(.tooComplex, "expression longer than \(maxLength) characters", offset: maxLength)
        }
        var parser = IVRExpressionParser(source)
        let expression = try parser.parseAll()
        guard expression.depth <= maxDepth else {
            throw IVRExpressionError(.tooComplex, "expression nested deeper than \(maxDepth) levels; split it with set-variable nodes")
        }
        return expression
    }

    /// Levels of the tree (a literal or variable is 1).
    public var depth: Int {
        switch self {
        case .literal, .variable: 1
        case .unary(_, let e): 1 + e.depth
        case .binary(_, let a, let b): 1 + max(a.depth, b.depth)
        case .call(_, let args): 1 + (args.map(\.depth).max() ?? 0)
        }
    }

    /// Every variable name the expression reads.
    public var variables: Set<String> {
        switch self {
        case .literal: []
        case .variable(let n): [n]
        case .unary(_, let e): e.variables
        case .binary(_, let a, let b): a.variables.union(b.variables)
        case .call(_, let args): args.reduce(into: Set()) { $0.formUnion($1.variables) }
        }
    }
}

/// A parse or evaluation error of an expression or template.
public struct IVRExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable { case syntax, unknownFunction, arity, divisionByZero, notANumber, tooComplex }
    public var code: Code
    public var message: String
    /// Character offset in the source, when known.
    public var offset: Int?

    public init(_ code: Code, _ message: String, offset: Int? = nil) {
        self.code = code; self.message = message; self.offset = offset
    }

    public var description: String { offset.map { "\(message) at offset \($0)" } ?? message }
}

/// Recursive-descent parser over the expression grammar.
struct IVRExpressionParser {
    private let chars: [Character]
    private var i = 0
    /// Current nesting (parentheses, calls, prefix operators), bounded by `IVRExpression.maxNesting`.
    private var nesting = 0

    private mutating func enter() throws(IVRExpressionError) {
        nesting += 1
        guard nesting <= IVRExpression.maxNesting else {
            throw IVRExpressionError(.tooComplex, "expression nested deeper than \(IVRExpression.maxNesting) levels", offset: i)
        }
    }

    init(_ source: String) { chars = Array(source) }

    mutating func parseAll() throws(IVRExpressionError) -> IVRExpression {
        let e = try parseOr()
        skipSpace()
        if i < chars.count { throw IVRExpressionError(.syntax, "unexpected '\(chars[i])'", offset: i) }
        return e
    }

    private mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

    /// Consumes `token` if next (words only when not followed by a name character).
    private mutating func take(_ token: String) -> Bool {
        skipSpace()
        let t = Array(token)
        guard i + t.count <= chars.count, Array(chars[i..<(i + t.count)]) == t else { return false }
        if t.last!.isLetter, i + t.count < chars.count, Self.isNameChar(chars[i + t.count]) { return false }
        i += t.count
        return true
    }

    private static func isNameChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "." }

    private mutating func parseOr() throws(IVRExpressionError) -> IVRExpression {
        var e = try parseAnd()
        while take("||") || take("or") { e = .binary("||", e, try parseAnd()) }
        return e
    }

    private mutating func parseAnd() throws(IVRExpressionError) -> IVRExpression {
        var e = try parseNot()
        while take("&&") || take("and") { e = .binary("&&", e, try parseNot()) }
        return e
    }

    private mutating func parseNot() throws(IVRExpressionError) -> IVRExpression {
        if take("!") || take("not") {
            try enter()
            defer { nesting -= 1 }
            return .unary("!", try parseNot())
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(IVRExpressionError) -> IVRExpression {
        let left = try parseAdditive()
        for op in ["==", "!=", "<=", ">=", "<", ">"] where take(op) {
            return .binary(op, left, try parseAdditive())
        }
        return left
    }

    private mutating func parseAdditive() throws(IVRExpressionError) -> IVRExpression {
        var e = try parseMultiplicative()
        while true {
            if take("+") { e = .binary("+", e, try parseMultiplicative()) }
            else if take("-") { e = .binary("-", e, try parseMultiplicative()) }
            else { return e }
        }
    }

    private mutating func parseMultiplicative() throws(IVRExpressionError) -> IVRExpression {
        var e = try parseUnary()
        while true {
            if take("*") { e = .binary("*", e, try parseUnary()) }
            else if take("/") { e = .binary("/", e, try parseUnary()) }
            else if take("%") { e = .binary("%", e, try parseUnary()) }
            else { return e }
        }
    }

    private mutating func parseUnary() throws(IVRExpressionError) -> IVRExpression {
        if take("-") {
            try enter()
            defer { nesting -= 1 }
            return .unary("-", try parseUnary())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(IVRExpressionError) -> IVRExpression {
        skipSpace()
        guard i < chars.count else { throw IVRExpressionError(.syntax, "expression ends too early", offset: i) }
        let start = i
        let c = chars[i]
        if take("(") {
            try enter()
            defer { nesting -= 1 }
            let e = try parseOr()
            guard take(")") else { throw IVRExpressionError(.syntax, "missing ')'", offset: i) }
            return e
        }
        if c == "'" || c == "\"" {
            i += 1
            var s = ""
            while i < chars.count, chars[i] != c {
                if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                s.append(chars[i]); i += 1
            }
            guard i < chars.count else { throw IVRExpressionError(.syntax, "unterminated string", offset: start) }
            i += 1
            return .literal(.string(s))
        }
        if c.isNumber {
            while i < chars.count, chars[i].isNumber || chars[i] == "." { i += 1 }
            let text = String(chars[start..<i])
            guard let n = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), text.filter({ $0 == "." }).count <= 1 else {
                throw IVRExpressionError(.syntax, "bad number '\(text)'", offset: start)
            }
            return .literal(.number(n))
        }
        if c.isLetter || c == "_" {
            while i < chars.count, Self.isNameChar(chars[i]) { i += 1 }
            let name = String(chars[start..<i])
            switch name {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            default: break
            }
            if take("(") {
                guard let arity = IVRExpression.functions[name] else {
                    throw IVRExpressionError(.unknownFunction, "unknown function '\(name)'", offset: start)
                }
                try enter()
                defer { nesting -= 1 }
                var args: [IVRExpression] = []
                if !take(")") {
                    repeat { args.append(try parseOr()) } while take(",")
                    guard take(")") else { throw IVRExpressionError(.syntax, "missing ')' after arguments", offset: i) }
                }
                guard arity.contains(args.count) else {
                    throw IVRExpressionError(.arity, "'\(name)' takes \(arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound)-\(arity.upperBound)") argument(s)", offset: start)
                }
                return .call(name, args)
            }
            return .variable(name)
        }
        throw IVRExpressionError(.syntax, "unexpected '\(c)'", offset: i)
    }
}
