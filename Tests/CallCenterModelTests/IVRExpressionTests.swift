import Foundation
import Testing
@testable import CallCenterModel

@Suite("IVR expressions and templates")
struct IVRExpressionTests {
    func eval(_ source: String, _ vars: [String: IVRValue] = [:]) throws(IVRExpressionError) -> IVRValue {
        try IVRExpression.parse(source).evaluate { vars[$0] ?? .null }
    }

    @Test(arguments: [
        ("1 + 2 * 3", IVRValue.number(7)), ("(1 + 2) * 3", .number(9)), ("10 / 4", .number(2.5)), ("7 % 3", .number(1)),
        ("-7 % 3", .number(-1)), ("-(2 + 3)", .number(-5)), ("1 < 2 && 2 < 3", .bool(true)), ("1 > 2 || 3 >= 3", .bool(true)),
        ("not true", .bool(false)), ("!(1 == 1)", .bool(false)), ("'a' + 'b'", .string("ab")), ("\"x\" == 'x'", .bool(true)),
        ("len('hello')", .number(5)), ("contains('shipped late', 'ship')", .bool(true)), ("startsWith('+86', '+8')", .bool(true)),
        ("upper('zh-cn')", .string("ZH-CN")), ("round(2.345, 2)", .number(2.35)), ("round(2.5)", .number(3)),
        ("null == ''", .bool(true)), ("1 and 0", .bool(false)), ("0.1 + 0.2 == 0.3", .bool(true)),
    ])
    func evaluates(_ source: String, _ expected: IVRValue) throws {
        #expect(try eval(source) == expected)
    }

    @Test("hostile expressions are refused with a reason, never a crash: deep nesting, long chains, huge sources")
    func boundedWork() throws {
        let nested = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        let notNot = String(repeating: "not ", count: 50_000) + "true"
        let chain = Array(repeating: "1", count: 400).joined(separator: "+")
        let calls = String(repeating: "len(", count: 40) + "'x'" + String(repeating: ")", count: 40)
        for source in [nested, notNot, chain, calls] {
            #expect(throws: IVRExpressionError.self) { try IVRExpression.parse(source) }
            do { _ = try IVRExpression.parse(source) } catch { #expect(error.code == .tooComplex, "\(error)") }
        }
        // Within the limits the same shapes still work.
        #expect(try eval(String(repeating: "(", count: 20) + "1" + String(repeating: ")", count: 20)) == .number(1))
        #expect(try eval(Array(repeating: "1", count: 60).joined(separator: "+")) == .number(60))
    }

    @Test func variablesAndCoercion() throws {
        let vars: [String: IVRValue] = ["balance": .string("-12.50"), "account": .string("0042"), "order.status": .string("shipped"),
                                        "vip": .bool(true)]
        #expect(try eval("balance < 0", vars) == .bool(true))
        #expect(try eval("account == 42", vars) == .bool(true))
        #expect(try eval("account + 1", vars) == .number(43))
        #expect(try eval("order.status == 'shipped' and vip", vars) == .bool(true))
        #expect(try eval("missing == null", vars) == .bool(true))
        #expect(try eval("missing > 3", vars) == .bool(false))
        #expect(try IVRExpression.parse("a > b && len(c) == 2").variables == ["a", "b", "c"])
    }

    @Test func shortCircuitAvoidsErrors() throws {
        #expect(try eval("false && 1 / 0 > 1") == .bool(false))
        #expect(try eval("true || 1 / 0 > 1") == .bool(true))
    }

    @Test(arguments: [
        ("1 +", IVRExpressionError.Code.syntax), ("(1 + 2", .syntax), ("'open", .syntax), ("1 2", .syntax),
        ("foo(1)", .unknownFunction), ("len(1, 2)", .arity), ("1.2.3", .syntax), ("balance <> 0", .syntax), ("", .syntax),
    ])
    func parseErrors(_ source: String, _ code: IVRExpressionError.Code) {
        #expect(throws: IVRExpressionError.self) { try IVRExpression.parse(source) }
        do { _ = try IVRExpression.parse(source) } catch { #expect(error.code == code) }
    }

    @Test func runtimeErrors() {
        do { _ = try eval("1 / 0"); Issue.record("no error") } catch { #expect(error.code == .divisionByZero) }
        do { _ = try eval("'a' * 2"); Issue.record("no error") } catch { #expect(error.code == .notANumber) }
        do { _ = try eval("number('x')"); Issue.record("no error") } catch { #expect(error.code == .notANumber) }
    }

    @Test func templates() throws {
        let t = try IVRTemplate.parse("Balance {{ balance | amount }} on {{asOf|date}}, ref {{ref}}.")
        #expect(t.parts == [.literal("Balance "), .placeholder(variable: "balance", format: .amount), .literal(" on "),
                            .placeholder(variable: "asOf", format: .date), .literal(", ref "),
                            .placeholder(variable: "ref", format: .text), .literal(".")])
        #expect(t.variables == ["balance", "asOf", "ref"])
        #expect(try IVRTemplate.parse("no placeholders").parts == [.literal("no placeholders")])
        #expect(throws: IVRExpressionError.self) { try IVRTemplate.parse("{{balance") }
        #expect(throws: IVRExpressionError.self) { try IVRTemplate.parse("{{balance|money}}") }
        #expect(throws: IVRExpressionError.self) { try IVRTemplate.parse("{{1abc}}") }
        #expect(throws: IVRExpressionError.self) { try IVRTemplate.parse("{{a|b|c}}") }
    }
}
