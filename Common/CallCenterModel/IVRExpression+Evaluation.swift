import Foundation

extension IVRExpression {
    /// Evaluates against variables (`lookup` returns `.null` for unknown names).
    public func evaluate(_ lookup: (String) -> IVRValue) throws(IVRExpressionError) -> IVRValue {
        switch self {
        case .literal(let v):
            return v
        case .variable(let name):
            return lookup(name)
        case .unary(let op, let e):
            let v = try e.evaluate(lookup)
            if op == "!" { return .bool(!v.isTruthy) }
            guard let n = v.numberValue else { throw IVRExpressionError(.notANumber, "'-' needs a number, got '\(v)'") }
            return .number(-n)
        case .binary("&&", let a, let b):
            guard try a.evaluate(lookup).isTruthy else { return .bool(false) }
            return .bool(try b.evaluate(lookup).isTruthy)
        case .binary("||", let a, let b):
            if try a.evaluate(lookup).isTruthy { return .bool(true) }
            return .bool(try b.evaluate(lookup).isTruthy)
        case .binary(let op, let a, let b):
            return try Self.apply(op, try a.evaluate(lookup), try b.evaluate(lookup))
        case .call(let name, let args):
            let values = try args.map { (e) throws(IVRExpressionError) -> IVRValue in try e.evaluate(lookup) }
            return try Self.call(name, values)
        }
    }

    private static func apply(_ op: String, _ a: IVRValue, _ b: IVRValue) throws(IVRExpressionError) -> IVRValue {
        switch op {
        case "==", "!=":
            let equal: Bool
            if let x = a.numberValue, let y = b.numberValue, !(a.isBool != b.isBool) { equal = x == y }
            else if case .null = a { if case .null = b { equal = true } else { equal = b.description.isEmpty } }
            else { equal = a.description == b.description }
            return .bool(op == "==" ? equal : !equal)
        case "<", "<=", ">", ">=":
            let order: ComparisonResult
            if let x = a.numberValue, let y = b.numberValue { order = x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame }
            else { order = a.description < b.description ? .orderedAscending : a.description > b.description ? .orderedDescending : .orderedSame }
            switch op {
            case "<": return .bool(order == .orderedAscending)
            case "<=": return .bool(order != .orderedDescending)
            case ">": return .bool(order == .orderedDescending)
            default: return .bool(order != .orderedAscending)
            }
        case "+":
            if let x = a.numberValue, let y = b.numberValue { return .number(x + y) }
            return .string(a.description + b.description)
        default:
            guard let x = a.numberValue, let y = b.numberValue else {
                throw IVRExpressionError(.notANumber, "'\(op)' needs numbers, got '\(a)' and '\(b)'")
            }
            switch op {
            case "-": return .number(x - y)
            case "*": return .number(x * y)
            case "/":
                guard y != 0 else { throw IVRExpressionError(.divisionByZero, "division by zero") }
                return .number(x / y)
            default:
                guard y != 0 else { throw IVRExpressionError(.divisionByZero, "division by zero") }
                let q = (x / y).rounded(0, x / y < 0 ? .up : .down)
                return .number(x - q * y)
            }
        }
    }

    private static func call(_ name: String, _ v: [IVRValue]) throws(IVRExpressionError) -> IVRValue {
        switch name {
        case "len": return .number(Decimal(v[0].description.count))
        case "contains": return .bool(v[0].description.contains(v[1].description))
        case "startsWith": return .bool(v[0].description.hasPrefix(v[1].description))
        case "lower": return .string(v[0].description.lowercased())
        case "upper": return .string(v[0].description.uppercased())
        case "number":
            guard let n = v[0].numberValue else { throw IVRExpressionError(.notANumber, "'\(v[0])' is not a number") }
            return .number(n)
        case "round":
            guard let n = v[0].numberValue else { throw IVRExpressionError(.notANumber, "'\(v[0])' is not a number") }
            let places = v.count > 1 ? NSDecimalNumber(decimal: v[1].numberValue ?? 0).intValue : 0
            return .number(n.rounded(places, .plain))
        default:
            throw IVRExpressionError(.unknownFunction, "unknown function '\(name)'")
        }
    }
}

extension IVRValue {
    var isBool: Bool { if case .bool = self { true } else { false } }
}

extension Decimal {
    /// Rounded to `places` decimals.
    func rounded(_ places: Int, _ mode: NSDecimalNumber.RoundingMode) -> Decimal {
        var input = self, result = Decimal()
        NSDecimalRound(&result, &input, places, mode)
        return result
    }
}
