import Foundation

/// The words of a queue announcement (position and estimated wait) in the caller's language:
/// Mandarin for `zh*`, English otherwise. Waits are said in whole minutes, rounded up; under a
/// minute is "less than a minute"; a wait at the queue's cap is "more than N minutes".
public enum QueueAnnouncementText {
    public static func playback(position: Int?, estimatedWaitSeconds: Int?, capSeconds: Int?, language: String) -> IVRPlayback? {
        let zh = IVRSpeech.isMandarin(language)
        var sentences: [String] = []
        if let position, position > 0 {
            sentences.append(zh ? (position == 1 ? "您是下一位。" : "您前面还有\(count(position - 1, zh: true))位客户。")
                                : position == 1 ? "You are next in line." : "You are number \(words(position)) in line.")
        }
        if let wait = estimatedWaitSeconds, wait >= 0 {
            let capped = capSeconds.map { wait >= $0 } ?? false
            let minutes = max(1, (wait + 59) / 60)
            if zh {
                sentences.append(capped ? "预计等待时间超过\(count(minutes, zh: true))分钟。"
                                        : wait < 60 ? "预计等待时间不到一分钟。" : "预计等待时间约\(count(minutes, zh: true))分钟。")
            } else {
                let unit = minutes == 1 ? "minute" : "minutes"
                sentences.append(capped ? "Your expected wait is more than \(words(minutes)) \(unit)."
                                        : wait < 60 ? "Your expected wait is less than a minute."
                                                    : "Your expected wait is about \(words(minutes)) \(unit).")
            }
        }
        guard !sentences.isEmpty else { return nil }
        let text = sentences.joined(separator: zh ? "" : " ")
        return IVRPlayback(file: nil, segments: [.text(text)], text: text, language: language, voice: nil)
    }

    /// The greeting before the tone when a caller is sent to voicemail.
    public static func voicemailGreeting(language: String) -> IVRPlayback {
        let text = IVRSpeech.isMandarin(language) ? "现在无人接听，请在提示音后留言。" : "No one can take your call right now. Please leave a message after the tone."
        return IVRPlayback(file: nil, segments: [.text(text)], text: text, language: language, voice: nil)
    }

    static func words(_ n: Int) -> String { SpokenEnglish.integer(UInt64(n)).joined(separator: " ") }

    /// A Mandarin count: 两 for two, as in 两分钟 / 两位.
    static func count(_ n: Int, zh: Bool) -> String {
        n == 2 ? "两" : SpokenMandarin.integer(UInt64(n)).joined()
    }
}
