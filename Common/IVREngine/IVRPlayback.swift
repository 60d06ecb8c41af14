import CallCenterModel
import Foundation

/// A prompt ready to play: a file, or text with spoken variables.
public struct IVRPlayback: Codable, Sendable, Equatable, Hashable {
    /// One piece of a rendered text prompt.
    public enum Segment: Codable, Sendable, Equatable, Hashable {
        /// Literal text for text-to-speech.
        case text(String)
        /// A spoken variable: word tokens (`["one", "hundred", "dollars"]`, `["一", "百", "元"]`), for
        /// concatenating recorded word prompts or for TTS.
        case tokens([String])
    }

    /// Recorded prompt key, when the prompt is a file.
    public var file: String?
    /// Rendered text prompt, in pieces.
    public var segments: [Segment]
    /// The whole text as one string (tokens joined per language), for TTS engines.
    public var text: String
    public var language: String
    public var voice: String?

    public init(file: String?, segments: [Segment], text: String, language: String, voice: String?) {
        self.file = file; self.segments = segments; self.text = text; self.language = language; self.voice = voice
    }
}

/// Renders templates against variables.
enum IVRRenderer {
    static func playback(_ prompt: IVRPrompt, variables: [String: IVRValue], language: String, voice: String?) -> IVRPlayback {
        let lang = prompt.language ?? language
        let v = prompt.voice ?? voice
        guard let text = prompt.text else {
            return IVRPlayback(file: prompt.file, segments: [], text: "", language: lang, voice: v)
        }
        guard let template = try? IVRTemplate.parse(text) else {
            return IVRPlayback(file: nil, segments: [.text(text)], text: text, language: lang, voice: v)
        }
        var segments: [IVRPlayback.Segment] = []
        var whole = ""
        for part in template.parts {
            switch part {
            case .literal(let s):
                segments.append(.text(s)); whole += s
            case .placeholder(let name, let format):
                let value = variables[name] ?? .null
                if let tokens = IVRSpeech.tokens(for: value, format: format, language: lang) {
                    segments.append(.tokens(tokens)); whole += IVRSpeech.join(tokens, language: lang)
                } else {
                    segments.append(.text(value.description)); whole += value.description
                }
            }
        }
        return IVRPlayback(file: nil, segments: segments, text: whole, language: lang, voice: v)
    }

    /// Plain rendering for URLs, headers, bodies and targets (`json` and `url` formats escape).
    static func string(_ source: String, variables: [String: IVRValue]) -> String {
        guard let template = try? IVRTemplate.parse(source) else { return source }
        var out = ""
        for part in template.parts {
            switch part {
            case .literal(let s): out += s
            case .placeholder(let name, let format):
                let value = variables[name] ?? .null
                switch format {
                case .json: out += jsonLiteral(value)
                case .url: out += value.description.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+?/#"))) ?? ""
                default: out += value.description
                }
            }
        }
        return out
    }

    static func jsonLiteral(_ value: IVRValue) -> String {
        guard let data = try? JSONEncoder().encode(value), let s = String(data: data, encoding: .utf8) else { return "null" }
        return s
    }
}
