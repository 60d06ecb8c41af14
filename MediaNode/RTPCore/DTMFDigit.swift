/// A DTMF key with its RFC 4733 §3.2 event code (0–9, * = 10, # = 11, A–D = 12–15).
public struct DTMFDigit: Sendable, Hashable, CustomStringConvertible {
    /// RFC 4733 event code.
    public let event: UInt8

    static let characters: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#", "A", "B", "C", "D"]

    /// Digit for an RFC 4733 event code 0…15; nil for other events (flash, fax tones).
    public init?(event: UInt8) {
        guard event < 16 else { return nil }
        self.event = event
    }

    /// Digit for a key character (`0`–`9`, `*`, `#`, `A`–`D`, case-insensitive).
    public init?(_ character: Character) {
        guard let index = Self.characters.firstIndex(of: Character(character.uppercased())) else { return nil }
        self.event = UInt8(index)
    }

    /// The key as a character.
    public var character: Character { Self.characters[Int(event)] }
    public var description: String { String(character) }

    /// Low-group (row) and high-group (column) frequencies in Hz (ITU-T Q.23).
    public var frequencies: (low: Double, high: Double) {
        let (row, column) = Self.keypadPosition[Int(event)]
        return (Self.lowGroup[row], Self.highGroup[column])
    }

    /// Row frequencies 697, 770, 852, 941 Hz (Q.23).
    public static let lowGroup: [Double] = [697, 770, 852, 941]
    /// Column frequencies 1209, 1336, 1477, 1633 Hz (Q.23).
    public static let highGroup: [Double] = [1209, 1336, 1477, 1633]
    /// (row, column) per event code.
    static let keypadPosition: [(Int, Int)] = [
        (3, 1), (0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2),
        (3, 0), (3, 2), (0, 3), (1, 3), (2, 3), (3, 3),
    ]

    /// The digit at a keypad position.
    static func at(row: Int, column: Int) -> DTMFDigit? {
        keypadPosition.firstIndex { $0 == (row, column) }.flatMap { DTMFDigit(event: UInt8($0)) }
    }
}

/// A DTMF key press reported by RFC 4733 reception or in-band detection.
public enum DTMFEvent: Sendable, Hashable {
    /// The key went down. `timestamp` is the RTP timestamp (RFC 4733) or sample index (in-band).
    case began(DTMFDigit, timestamp: UInt32)
    /// The key went up after `duration` samples at 8 kHz.
    case ended(DTMFDigit, duration: UInt32)
}
