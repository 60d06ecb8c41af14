import CallCenterModel
import Foundation

/// Runs a flow against a script with a simulated clock and returns the full trace and outcome:
/// the basis of the test-your-flow API. Prompts take no simulated time; digits take the script's
/// `afterSeconds`, silence the node's first-digit timeout, HTTP the scripted latency.
public enum IVRSimulator {
    public static func run(flow: IVRFlow, script: IVRSimulationScript) -> IVRSimulationResult {
        let issues = IVRFlowValidator.validate(flow)
        guard issues.isEmpty else {
            return IVRSimulationResult(issues: issues, trace: [], outcome: nil, path: [], variables: [:], durationSeconds: 0)
        }
        var callVariables = script.variables ?? [:]
        if let c = script.caller { callVariables["caller"] = c }
        if let c = script.called { callVariables["called"] = c }
        var interpreter = IVRInterpreter(flow: flow, callVariables: callVariables)
        var elapsed = 0.0
        var trace: [IVRTraceEntry] = []
        var inputs = script.inputs ?? []
        var responses = script.httpResponses ?? []
        var steps = 0
        let maxSteps = min(max(script.maxSteps ?? 100, 1), IVRSimulationScript.maxStepsLimit)
        var node: String? = nil

        func record(_ actions: [IVRAction]) {
            for a in actions {
                if case .enterNode(let n) = a { node = n }
                trace.append(IVRTraceEntry(atSeconds: elapsed, node: node, action: a))
            }
        }
        func feed(_ input: IVRInput) {
            trace.append(IVRTraceEntry(atSeconds: elapsed, node: node, input: input))
            record(interpreter.receive(input, now: script.startTime.addingTimeInterval(elapsed)))
        }

        record(interpreter.start(now: script.startTime))
        while interpreter.outcome == nil, steps < maxSteps {
            steps += 1
            switch interpreter.state {
            case .waitingForDigits:
                let timeout = trace.reversed().lazy.compactMap { e -> IVRDigitCollection? in
                    if case .collectDigits(let c)? = e.action { c } else { nil }
                }.first?.firstDigitTimeoutSeconds ?? 5
                let next = inputs.isEmpty ? IVRSimulationScript.Input(noInput: true) : inputs.removeFirst()
                if next.hangUp == true {
                    elapsed += next.afterSeconds ?? 0
                    feed(.callerHungUp)
                } else if let d = next.digits, next.noInput != true {
                    elapsed += next.afterSeconds ?? 2
                    feed(.digits(d))
                } else {
                    elapsed += Double(timeout)
                    feed(.noInput)
                }
            case .waitingForHTTP:
                let r = responses.isEmpty ? IVRSimulationScript.HTTPResponse(error: "no scripted response") : responses.removeFirst()
                if r.timeout == true {
                    let limit = trace.reversed().lazy.compactMap { e -> Int? in
                        if case .httpRequest(let request)? = e.action { request.timeoutSeconds } else { nil }
                    }.first ?? 5
                    elapsed += Double(limit)
                    feed(.httpTimeout)
                    continue
                }
                elapsed += Double(r.latencyMs ?? 100) / 1000
                if let status = r.status { feed(.httpResponse(status: status, body: r.body ?? "")) }
                else { feed(.httpFailed(reason: r.error ?? "connection failed")) }
            case .notStarted, .finished:
                steps = maxSteps
            }
        }
        return IVRSimulationResult(issues: [], trace: trace, outcome: interpreter.outcome, path: interpreter.path,
                                   variables: interpreter.variables, durationSeconds: elapsed)
    }
}
