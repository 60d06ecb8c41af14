import Testing
@testable import RTPCore

/// DTMF in SIP INFO bodies (issue 14): both de-facto formats, and hostile input that must not trap.
@Suite(.tags(.unit)) struct DTMFInfoBodyTests {
    static func relay(_ text: String) -> DTMFInfoBody.Parsed? {
        DTMFInfoBody.parse(contentType: "application/dtmf-relay", body: Array(text.utf8))
    }

    @Test("application/dtmf-relay as PJSIP, Cisco and Asterisk send it")
    func relayBodies() {
        #expect(Self.relay("Signal=5\r\nDuration=160\r\n") == .key(DTMFDigit("5")!, durationMs: 160))
        #expect(Self.relay("Signal=#\nDuration=250") == .key(DTMFDigit("#")!, durationMs: 250))
        #expect(Self.relay("signal = *\r\nduration = 100\r\n") == .key(DTMFDigit("*")!, durationMs: 100))
        #expect(Self.relay("Signal=d\r\n") == .key(DTMFDigit("D")!, durationMs: DTMFInfoBody.defaultDurationMs), "no Duration: the default")
        #expect(Self.relay("Signal=10\r\nDuration=100") == .key(DTMFDigit("*")!, durationMs: 100), "an RFC 4733 event code")
        #expect(Self.relay("Signal=11") == .key(DTMFDigit("#")!, durationMs: 100))
        #expect(Self.relay("Foo=bar\r\nSignal=1\r\nX-Other: y\r\n") == .key(DTMFDigit("1")!, durationMs: 100), "other lines are ignored")
        #expect(Self.relay("Signal=16\r\nDuration=100") == .notAKey, "hook flash")
        #expect(Self.relay("Signal=!") == .notAKey)
        #expect(DTMFInfoBody.parse(contentType: "Application/DTMF-Relay; charset=us-ascii", body: Array("Signal=3".utf8))
                == .key(DTMFDigit("3")!, durationMs: 100), "media type case-insensitive, parameters ignored")
    }

    @Test("application/dtmf: the key alone")
    func dtmfBodies() {
        func dtmf(_ text: String) -> DTMFInfoBody.Parsed? { DTMFInfoBody.parse(contentType: "application/dtmf", body: Array(text.utf8)) }
        #expect(dtmf("7") == .key(DTMFDigit("7")!, durationMs: 100))
        #expect(dtmf("#\r\n") == .key(DTMFDigit("#")!, durationMs: 100))
        #expect(dtmf(" 11 ") == .key(DTMFDigit("#")!, durationMs: 100))
        #expect(dtmf("16") == .notAKey)
        #expect(dtmf("") == nil)
        #expect(dtmf("12") == .key(DTMFDigit("A")!, durationMs: 100), "event code 12 is A")
        #expect(dtmf("17") == nil)
        #expect(dtmf("x") == nil)
        #expect(dtmf("5 6") == nil)
    }

    @Test("durations are clamped and never overflow")
    func durations() {
        #expect(Self.relay("Signal=1\nDuration=0") == .key(DTMFDigit("1")!, durationMs: 20))
        #expect(Self.relay("Signal=1\nDuration=999999") == .key(DTMFDigit("1")!, durationMs: 5000))
        #expect(Self.relay("Signal=1\nDuration=99999999999999999999999") == .key(DTMFDigit("1")!, durationMs: 100), "unreadable: the default")
        #expect(Self.relay("Signal=1\nDuration=-5") == .key(DTMFDigit("1")!, durationMs: 100))
    }

    @Test("malformed relay bodies are refused (nil → 400), never trapped on")
    func malformed() {
        #expect(Self.relay("") == nil)
        #expect(Self.relay("Duration=100") == nil, "no Signal")
        #expect(Self.relay("Signal=") == nil)
        #expect(Self.relay("Signal=55") == nil)
        #expect(Self.relay("Signal=1\nSignal=2") == nil, "two signals: ambiguous")
        #expect(Self.relay("Signal=99999999999999999999") == nil)
        #expect(Self.relay("Signal=\u{0}") == nil)
        #expect(Self.relay("Signal=é") == nil)
        #expect(Self.relay(String(repeating: "A", count: 600) + "\nSignal=1") == nil, "longer than the bound")
        #expect(DTMFInfoBody.parse(contentType: nil, body: Array("Signal=1".utf8)) == nil)
        #expect(DTMFInfoBody.parse(contentType: "text/plain", body: Array("Signal=1".utf8)) == nil)
        #expect(DTMFInfoBody.isDTMF(contentType: "application/dtmf-relay"))
        #expect(!DTMFInfoBody.isDTMF(contentType: "application/media_control+xml"))
    }

    @Test("random bytes never trap and stay within the bounds")
    func randomBytes() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("Signal=Duration0123456789*#!ABCDabcd \r\n\t=;-+".utf8) + [0, 0xFF, 0x80]
        for _ in 0..<5000 {
            let count = Int.random(in: 0...80, using: &rng)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &rng) ?? 0 }
            for type in ["application/dtmf-relay", "application/dtmf"] {
                if case .key(_, let ms)? = DTMFInfoBody.parse(contentType: type, body: bytes) {
                    #expect(DTMFInfoBody.durationRange.contains(ms))
                }
            }
        }
    }
}

/// One key press arriving by two paths is delivered once; presses on one path are never merged.
@Suite(.tags(.unit)) struct DTMFSourceMergerTests {
    enum Path: Hashable, Sendable { case rtp, info, tones }
    static let five = DTMFDigit("5")!, one = DTMFDigit("1")!
    static let ms: UInt64 = 1_000_000

    /// Feeds (digit, path, ms) in order to a fresh merger; returns what it admitted.
    static func admitted(_ presses: [(DTMFDigit, Path, UInt64)]) -> [Bool] {
        var merger = DTMFSourceMerger<Path>()
        return presses.map { merger.admit($0.0, from: $0.1, now: $0.2 * ms) }
    }

    @Test("the same press by RFC 4733 and INFO, either first, is delivered once")
    func bothPaths() {
        #expect(Self.admitted([(Self.five, .rtp, 1000), (Self.five, .info, 1040)]) == [true, false])
        #expect(Self.admitted([(Self.five, .info, 0), (Self.five, .rtp, 300)]) == [true, false])
    }

    @Test("a key pressed twice quickly by a phone that sends both paths gives two digits")
    func doublePress() {
        let one = Self.one
        #expect(Self.admitted([(one, .rtp, 0), (one, .info, 20), (one, .rtp, 250), (one, .info, 270), (one, .rtp, 500)])
                == [true, false, true, false, true])
    }

    @Test("one path alone is never merged, different keys are never merged, and the window ends")
    func noMerging() {
        #expect(Self.admitted([(Self.one, .info, 0), (Self.one, .info, 10), (Self.five, .rtp, 20), (Self.five, .info, 1100)])
                == [true, true, true, true])
    }

    @Test("a third path's copy is matched too, each path once")
    func threePaths() {
        #expect(Self.admitted([(Self.five, .rtp, 0), (Self.five, .tones, 10), (Self.five, .info, 20), (Self.five, .info, 30)])
                == [true, false, false, true])
    }

    @Test("memory is bounded and a backwards clock does not trap")
    func bounded() {
        var merger = DTMFSourceMerger<Path>()
        for i in 0..<10_000 { _ = merger.admit(DTMFDigit(event: UInt8(i % 16))!, from: i % 2 == 0 ? .rtp : .info, now: UInt64(i)) }
        let count = merger.recent.count
        #expect(count <= DTMFSourceMerger<Path>.capacity)
        let afterwards = [merger.admit(Self.five, from: .rtp, now: 0), merger.admit(Self.five, from: .rtp, now: .max)]
        #expect(afterwards == [true, true])
    }
}
