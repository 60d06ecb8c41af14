import ArgumentParser

/// `media-node`: the media node process (`serve`, the default) and a spool tool used by tests.
@main
struct MediaNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media-node",
        abstract: "Call-center media node: SIP, RTP, IVR and ACD for the tenants homed here.",
        subcommands: [ServeCommand.self, SpoolWriterCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
